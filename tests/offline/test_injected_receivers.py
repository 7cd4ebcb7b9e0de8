"""Method calls on a receiver whose class only its type or its injection tells: a FastAPI
route's ``svc: UserService = Depends(...)`` (every way of spelling it, and a provider that
only returns or yields one), a Flask service module's module-level instance, a class's
``self.client``. The request three calls down is followed (BKD302), a missing row through an
injected repository too (BKD306); the clean twins (the client handles its errors, the route
checks the row) and a receiver bound to two different classes say nothing."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

PYPROJECT = (
    '[project]\nname = "shop"\n'
    'dependencies = ["fastapi", "flask", "requests", "sqlalchemy", "flask-injector"]\n'
)

BILLING = """\
import requests


class BillingClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def charge(self, user_id: int, cents: int) -> dict:
        resp = requests.post(f"{self.base_url}/charges", json={"user": user_id}, timeout=5)
        resp.raise_for_status()
        return resp.json()
"""
BILLING_HANDLED = BILLING.replace(
    """\
        resp = requests.post(f"{self.base_url}/charges", json={"user": user_id}, timeout=5)
        resp.raise_for_status()
        return resp.json()
""",
    """\
        try:
            resp = requests.post(f"{self.base_url}/charges", json={"user": user_id}, timeout=5)
            resp.raise_for_status()
        except requests.RequestException:
            return {"charged": False}
        return resp.json()
""",
)

# The service holds its client as a typed ``__init__`` parameter; three providers hand it out.
SERVICES = """\
from collections.abc import Iterator

from .billing import BillingClient


class BaseUserService:
    def upgrade(self, user_id: int) -> dict:
        raise NotImplementedError


class UserService(BaseUserService):
    def __init__(self, billing: BillingClient) -> None:
        self.billing = billing

    def upgrade(self, user_id: int) -> dict:
        return self.billing.charge(user_id, 500)


def get_user_service() -> UserService:
    return UserService(BillingClient("https://billing.example.com"))


def build_user_service():
    billing = BillingClient("https://billing.example.com")
    return UserService(billing)


def user_service_session() -> Iterator["UserService"]:
    service = UserService(BillingClient("https://billing.example.com"))
    yield service
"""
DEPS = """\
from typing import Annotated

from fastapi import Depends

from .services import UserService, get_user_service

UserServiceDep = Annotated[UserService, Depends(get_user_service)]
"""
FASTAPI_ROUTES = """\
from typing import Annotated, Optional

from fastapi import Depends, FastAPI

from .deps import UserServiceDep
from .services import (
    BaseUserService,
    UserService,
    build_user_service,
    get_user_service,
    user_service_session,
)

app = FastAPI()


@app.post("/a/{user_id}")
def typed(user_id: int, svc: UserService = Depends(get_user_service)):
    return svc.upgrade(user_id)


@app.post("/b/{user_id}")
def annotated(user_id: int, svc: Annotated[UserService, Depends()]):
    return svc.upgrade(user_id)


@app.post("/c/{user_id}")
def optional(user_id: int, svc: Optional[UserService] = Depends(get_user_service)):
    return svc.upgrade(user_id)


@app.post("/d/{user_id}")
def union(user_id: int, svc: UserService | None = Depends(get_user_service)):
    return svc.upgrade(user_id)


@app.post("/e/{user_id}")
def quoted(user_id: int, svc: "UserService" = Depends(get_user_service)):
    return svc.upgrade(user_id)


@app.post("/f/{user_id}")
def by_return_annotation(user_id: int, svc=Depends(get_user_service)):
    return svc.upgrade(user_id)


@app.post("/g/{user_id}")
def by_what_it_returns(user_id: int, svc=Depends(build_user_service)):
    return svc.upgrade(user_id)


@app.post("/h/{user_id}")
def by_what_it_yields(user_id: int, svc=Depends(user_service_session)):
    return svc.upgrade(user_id)


@app.post("/i/{user_id}")
async def by_alias(user_id: int, svc: UserServiceDep):
    return svc.upgrade(user_id)


@app.post("/j/{user_id}")
def by_provider_over_base(user_id: int, svc: BaseUserService = Depends(build_user_service)):
    return svc.upgrade(user_id)


@app.get("/health")
def health(svc: dict = Depends(dict)):
    return svc.get("ok")
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in {"pyproject.toml": PYPROJECT, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _found(root: Path, code: str) -> list[Suggestion]:
    return [s for s in collect([str(root)]) if s.code == code]


def _where(root: Path, found: list[Suggestion]) -> list[tuple[str, int, str]]:
    return [
        (Path(s.path).relative_to(root).as_posix(), s.span.start.line + 1, s.title) for s in found
    ]


def _fastapi(root: Path, billing: str = BILLING) -> Path:
    return _write(
        root,
        {
            "shop/__init__.py": "",
            "shop/billing.py": billing,
            "shop/services.py": SERVICES,
            "shop/deps.py": DEPS,
            "shop/main.py": FASTAPI_ROUTES,
        },
    )


def test_every_spelling_of_an_injected_service_reaches_the_request(tmp_path: Path) -> None:
    root = _fastapi(tmp_path)
    found = _found(root, "BKD302")
    # Every route but ``health`` (whose ``dict`` is no project class) resolves its ``svc`` to
    # UserService (``by_provider_over_base`` gets the class its provider builds, not the base
    # its annotation names): all ten are handlers calling ``upgrade``, so the one except goes
    # in ``upgrade`` itself (shared_helpers), and it names every caller.
    assert _where(root, found) == [
        (
            "shop/services.py",
            16,
            "Answer 502 from UserService.upgrade when it fails, once for its callers",
        )
    ]
    (suggestion,) = found
    assert suggestion.rationale.startswith(
        "`UserService.upgrade` -> `BillingClient.charge` makes an upstream request "
        "(`requests.post` in billing.py) that nothing catches, and 10 handlers call it ("
    )
    views = ("typed", "annotated", "optional", "union", "quoted", "by_return_annotation")
    views += ("by_what_it_returns", "by_what_it_yields", "by_alias", "by_provider_over_base")
    assert f"{', '.join(f'`{v}`' for v in views)} in main.py)" in suggestion.rationale
    new = apply_suggestion(suggestion)[str(root / "shop" / "services.py")]
    ast.parse(new)
    assert "import requests\nfrom fastapi import HTTPException\n" in new
    assert (
        "        try:\n            return self.billing.charge(user_id, 500)\n"
        "        except requests.RequestException as exc:\n"
        "            raise HTTPException(status_code=502, " in new
    )
    # Applied, every route is covered.
    assert _found(root, "BKD302") == []


def test_a_service_whose_client_handles_its_errors_is_not_flagged(tmp_path: Path) -> None:
    root = _fastapi(tmp_path, BILLING_HANDLED)
    assert _found(root, "BKD302") == []


# A Flask app's services module: module-level instances, imported by the routes or used in
# the same module; the client is built in ``__init__`` or declared dataclass-style.
GEO = """\
import requests


class GeoClient:
    def locate(self, ip):
        resp = requests.get(f"https://geo.example.com/{ip}", timeout=5)
        return resp.json()


class QuietGeo:
    def locate(self, ip):
        return {"ip": ip}
"""
GEO_HANDLED = GEO.replace(
    """\
        resp = requests.get(f"https://geo.example.com/{ip}", timeout=5)
        return resp.json()
""",
    """\
        try:
            resp = requests.get(f"https://geo.example.com/{ip}", timeout=5)
            resp.raise_for_status()
        except requests.RequestException:
            return {}
        return resp.json()
""",
)
FLASK_SERVICES = """\
import os
from dataclasses import dataclass

from .geo import GeoClient, QuietGeo


class Tracker:
    def __init__(self) -> None:
        self.client = GeoClient()

    def track(self, ip):
        return self.client.locate(ip)


class Auditor:
    def __init__(self, client: GeoClient) -> None:
        self.client = client

    def audit(self, ip):
        return self.client.locate(ip)


@dataclass
class Lookup:
    client: GeoClient

    def where(self, ip):
        return self.client.locate(ip)


tracker = Tracker()
auditor = Auditor(GeoClient())
lookup = Lookup(GeoClient())
if os.environ.get("OFFLINE"):
    geo = QuietGeo()
else:
    geo = GeoClient()
"""
FLASK_INIT = "from flask import Flask\n\napp = Flask(__name__)\n"
FLASK_ROUTES = """\
from flask import jsonify, request

from . import services
from .geo import GeoClient, QuietGeo
from .services import auditor, geo, lookup, tracker
from shop import app

local_geo = GeoClient()


@app.post("/track")
def track():
    tracker.track(request.remote_addr)
    return jsonify(ok=True)


@app.post("/audit")
def audit():
    auditor.audit(request.remote_addr)
    return jsonify(ok=True)


@app.get("/where")
def where():
    return jsonify(lookup.where(request.remote_addr))


@app.get("/near")
def near():
    return jsonify(services.lookup.where(request.remote_addr))


@app.get("/here")
def here():
    return jsonify(local_geo.locate(request.remote_addr))


@app.get("/either")
def either():
    return jsonify(geo.locate(request.remote_addr))


@app.get("/there")
def there():
    local_geo = QuietGeo()
    return jsonify(local_geo.locate(request.remote_addr))
"""


def _flask(root: Path, geo: str = GEO) -> Path:
    return _write(
        root,
        {
            "shop/__init__.py": FLASK_INIT,
            "shop/geo.py": geo,
            "shop/services.py": FLASK_SERVICES,
            "shop/routes.py": FLASK_ROUTES,
        },
    )


def test_module_instances_and_their_self_clients_reach_the_request(tmp_path: Path) -> None:
    root = _flask(tmp_path)
    found = _found(root, "BKD302")
    # ``geo`` is a QuietGeo or a GeoClient: which one is not known, so nothing is said; the
    # local ``local_geo`` of ``there`` is a QuietGeo, not the module's GeoClient.
    # ``lookup.where`` and ``services.lookup.where`` are one method two handlers call: its
    # one except, in ``Lookup.where`` (shared_helpers).
    assert _where(root, found) == [
        ("shop/routes.py", 13, "Answer 502 when tracker.track() fails"),
        ("shop/routes.py", 19, "Answer 502 when auditor.audit() fails"),
        ("shop/routes.py", 35, "Answer 502 when local_geo.locate() fails"),
        (
            "shop/services.py",
            28,
            "Answer 502 from Lookup.where when it fails, once for its callers",
        ),
    ]
    chains = [s.rationale.split(" makes an upstream request")[0] for s in found]
    assert chains == [
        "`Tracker.track` -> `GeoClient.locate`",
        "`Auditor.audit` -> `GeoClient.locate`",
        "`GeoClient.locate`",
        "`Lookup.where` -> `GeoClient.locate`",
    ]
    assert "2 handlers call it (`where`, `near` in routes.py)" in found[3].rationale
    new = apply_suggestion(found[0])[str(root / "shop" / "routes.py")]
    ast.parse(new)
    assert (
        "    try:\n        tracker.track(request.remote_addr)\n"
        "    except requests.RequestException:" in new
    )
    assert '"upstream service unavailable"), 502' in new


def test_module_instances_whose_client_handles_its_errors_are_not_flagged(
    tmp_path: Path,
) -> None:
    root = _flask(tmp_path, GEO_HANDLED)
    assert _found(root, "BKD302") == []


# Flask-Injector hands a view its service by the parameter's type; the view of a MethodView
# keeps its client on ``self``; a blueprint factory's typed parameter serves its views.
INJECTED_VIEWS = """\
from flask import Blueprint, jsonify, request
from flask.views import MethodView
from flask_injector import inject

from .geo import GeoClient
from .services import Tracker
from shop import app


@app.post("/inject")
@inject
def injected(tracker: Tracker):
    tracker.track(request.remote_addr)
    return jsonify(ok=True)


class WhereView(MethodView):
    def __init__(self) -> None:
        self.geo = GeoClient()

    def get(self):
        return jsonify(self.geo.locate(request.remote_addr))


app.add_url_rule("/where-view", view_func=WhereView.as_view("where_view"))


def tracking_blueprint(tracker: Tracker) -> Blueprint:
    bp = Blueprint("tracking", __name__)

    @bp.post("/tracked")
    def tracked():
        tracker.track(request.remote_addr)
        return jsonify(ok=True)

    return bp
"""


def test_a_typed_view_parameter_and_a_views_self_client(tmp_path: Path) -> None:
    root = _flask(tmp_path)
    _write(root, {"shop/routes.py": INJECTED_VIEWS})
    # ``injected`` and the blueprint's ``tracked`` both call ``Tracker.track``: one except
    # there, Flask's ``abort(502)``, which a helper may raise.
    found = _found(root, "BKD302")
    assert _where(root, found) == [
        ("shop/routes.py", 22, "Answer 502 when self.geo.locate() fails"),
        (
            "shop/services.py",
            12,
            "Answer 502 from Tracker.track when it fails, once for its callers",
        ),
    ]
    new = apply_suggestion(found[1])[str(root / "shop" / "services.py")]
    assert "import requests\nfrom flask import abort\n" in new
    assert "        except requests.RequestException:\n            abort(502)\n" in new
    _write(root, {"shop/geo.py": GEO_HANDLED})
    assert _found(root, "BKD302") == []


MODELS = """\
from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
"""
REPOSITORY = """\
from sqlalchemy.orm import Session

from .models import User


class UserRepository:
    def __init__(self, db: Session) -> None:
        self.db = db

    def find(self, user_id: int):
        return self.db.query(User).filter(User.id == user_id).first()


def get_repository():
    yield UserRepository(None)
"""
ROW_ROUTES = """\
from typing import Annotated

from fastapi import Depends, FastAPI

from .repository import UserRepository, get_repository

app = FastAPI()


@app.get("/users/{user_id}")
def read_user(user_id: int, repo: Annotated[UserRepository, Depends(get_repository)]):
    user = repo.find(user_id)
    return {"name": user.name}


@app.get("/v2/users/{user_id}")
def read_user_v2(user_id: int, repo=Depends(get_repository)):
    user = repo.find(user_id)
    return {"name": user.name}
"""


def test_a_missing_row_through_an_injected_repository(tmp_path: Path) -> None:
    files = {
        "shop/__init__.py": "",
        "shop/models.py": MODELS,
        "shop/repository.py": REPOSITORY,
        "shop/main.py": ROW_ROUTES,
    }
    root = _write(tmp_path / "app", files)
    found = _found(root, "BKD306")
    assert _where(root, found) == [
        ("shop/main.py", 12, "Answer 404 when User is not found"),
        ("shop/main.py", 18, "Answer 404 when User is not found"),
    ]
    assert found[0].rationale.startswith("`find()` gives None when no row matches")
    new = apply_suggestion(found[0])[str(root / "shop" / "main.py")]
    ast.parse(new)
    assert "from fastapi import Depends, FastAPI, HTTPException\n" in new
    assert (
        "    user = repo.find(user_id)\n    if user is None:\n"
        '        raise HTTPException(status_code=404, detail="User not found")\n' in new
    )
    checked = ROW_ROUTES.replace(
        "    user = repo.find(user_id)\n",
        "    user = repo.find(user_id)\n    if user is None:\n"
        "        raise HTTPException(status_code=404)\n",
    ).replace("Depends, FastAPI", "Depends, FastAPI, HTTPException")
    clean = _write(tmp_path / "clean", {**files, "shop/main.py": checked})
    assert _found(clean, "BKD306") == []
