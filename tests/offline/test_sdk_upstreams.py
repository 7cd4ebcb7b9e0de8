"""Hosted APIs called through their SDKs are upstreams too (BKD302): an S3 upload behind the
app's storage helper, a Stripe charge in a FastAPI route, a GitHub repository read in a Flask
view. Each failure (S3 refusing the key, a declined card, a repository that is gone) leaves the
view as a 500 unless something catches the SDK's error; the fix imports that error from a
package the project declares (botocore comes with boto3), and no timeout (BKD301) is asked of
an SDK, which bounds its own waits. Every fixture is our own, in the shapes real apps have."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

FLASK_INIT = "from flask import Flask\n\napp = Flask(__name__)\n"

# An upload app's storage helper: a module-level client, the upload in a function.
STORAGE = (
    "import boto3\n\n"
    'BUCKET = "shop-avatars"\n'
    's3 = boto3.client("s3")\n\n\n'
    "def save_avatar(user_id, fileobj):\n"
    '    key = f"avatars/{user_id}.png"\n'
    "    s3.upload_fileobj(fileobj, BUCKET, key)\n"
    "    return key\n"
)
AVATARS = (
    "from flask import jsonify, request\n\n"
    "from shop import app\n"
    "from shop.storage import save_avatar\n\n\n"
    '@app.post("/users/<int:user_id>/avatar")\n'
    "def upload_avatar(user_id):\n"
    '    key = save_avatar(user_id, request.files["avatar"])\n'
    "    return jsonify(key=key)\n"
)

PAYMENTS = (
    "import stripe\n"
    "from fastapi import FastAPI\n"
    "from pydantic import BaseModel\n\n"
    "app = FastAPI()\n\n\n"
    "class Payment(BaseModel):\n"
    "    amount: int\n"
    "    token: str\n\n\n"
    '@app.post("/payments")\n'
    "def pay(payment: Payment):\n"
    "    charge = stripe.Charge.create(\n"
    '        amount=payment.amount, currency="usd", source=payment.token\n'
    "    )\n"
    '    return {"id": charge.id}\n'
)

REPOS = (
    "import os\n\n"
    "from flask import Flask, jsonify\n"
    "from github import Github\n\n"
    "app = Flask(__name__)\n"
    'gh = Github(os.environ["GITHUB_TOKEN"])\n\n\n'
    '@app.get("/repos/<owner>/<name>")\n'
    "def repo_stars(owner, name):\n"
    '    repo = gh.get_repo(f"{owner}/{name}")\n'
    "    return jsonify(stars=repo.stargazers_count)\n"
)
_502 = '        return jsonify(error="upstream service unavailable"), 502\n'


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _found(root: Path) -> list[Suggestion]:
    """Every timeout and upstream-error suggestion: an SDK call must get no BKD301."""
    return [s for s in collect([str(root)], ["error-handling"]) if s.code in ("BKD301", "BKD302")]


def _where(root: Path, found: list[Suggestion]) -> list[tuple[str, str, int]]:
    return [
        (s.code, Path(s.path).relative_to(root).as_posix(), s.span.start.line + 1) for s in found
    ]


def _shop(root: Path, files: dict[str, str]) -> Path:
    return _write(
        root,
        {
            "shop/__init__.py": FLASK_INIT,
            "shop/storage.py": STORAGE,
            "shop/avatars.py": AVATARS,
            **files,
        },
    )


# --- boto3 -------------------------------------------------------------------------------


def test_an_s3_upload_behind_a_helper_answers_502(tmp_path: Path) -> None:
    root = _shop(tmp_path, {"requirements.txt": "Flask==3.0.0\nboto3==1.34.0\n"})
    found = _found(root)
    assert _where(root, found) == [("BKD302", "shop/avatars.py", 9)]
    (suggestion,) = found
    assert suggestion.title == "Answer 502 when save_avatar() fails"
    assert suggestion.rationale.startswith(
        "`save_avatar` calls AWS (`s3.upload_fileobj` in storage.py) and nothing on the way "
        "catches its errors, so an error AWS answers (`ClientError`: a missing bucket or key, "
        "denied access, throttling) or one reaching it (`BotoCoreError`: no connection, no "
        "credentials) raises out of `upload_avatar` as a 500"
    )
    new = apply_suggestion(suggestion)[str(root / "shop" / "avatars.py")]
    ast.parse(new)
    assert new == (
        "from botocore.exceptions import BotoCoreError, ClientError\n"
        "from flask import jsonify, request\n\n"
        "from shop import app\n"
        "from shop.storage import save_avatar\n\n\n"
        '@app.post("/users/<int:user_id>/avatar")\n'
        "def upload_avatar(user_id):\n"
        "    try:\n"
        '        key = save_avatar(user_id, request.files["avatar"])\n'
        "    except (BotoCoreError, ClientError):\n" + _502 + "    return jsonify(key=key)\n"
    )
    assert _found(root) == []  # applied, the view handles it


def test_a_caught_client_error_or_an_app_handler_is_left_alone(tmp_path: Path) -> None:
    caught = AVATARS.replace(
        "from flask import jsonify, request\n",
        "from botocore.exceptions import ClientError\nfrom flask import jsonify, request\n",
    ).replace(
        '    key = save_avatar(user_id, request.files["avatar"])\n',
        "    try:\n"
        '        key = save_avatar(user_id, request.files["avatar"])\n'
        "    except ClientError:\n"
        '        return jsonify(error="storage failed"), 503\n',
    )
    requirements = {"requirements.txt": "Flask==3.0.0\nboto3==1.34.0\n"}
    assert _found(_shop(tmp_path / "caught", {**requirements, "shop/avatars.py": caught})) == []
    handlers = (
        "from botocore.exceptions import BotoCoreError, ClientError\n\n"
        "from shop import app\n\n\n"
        "@app.errorhandler(ClientError)\n"
        "@app.errorhandler(BotoCoreError)\n"
        "def storage_failed(error):\n"
        '    return {"error": "storage unavailable"}, 503\n'
    )
    assert _found(_shop(tmp_path / "app", {**requirements, "shop/errors.py": handlers})) == []


def test_boto3_not_declared_imports_nothing_it_does_not_declare(tmp_path: Path) -> None:
    # The manifest leaves boto3 (and so botocore) out: the handler would import a package the
    # project does not install, so nothing is suggested.
    assert _found(_shop(tmp_path / "undeclared", {"requirements.txt": "Flask==3.0.0\n"})) == []
    # A project (its git folder) with no manifest at all: only the code says what is
    # installed, and its ``import boto3`` brings botocore with it.
    root = _shop(tmp_path / "bare", {})
    (root / ".git").mkdir()
    (suggestion,) = _found(root)
    new = apply_suggestion(suggestion)[str(root / "shop" / "avatars.py")]
    assert new.startswith("from botocore.exceptions import BotoCoreError, ClientError\n")


RECEIPTS = (
    "import boto3\n"
    "from flask import Flask, jsonify, request\n\n"
    "app = Flask(__name__)\n"
    'session = boto3.Session(profile_name="uploads")\n'
    's3 = session.client("s3")\n'
    'orders = boto3.resource("dynamodb").Table("orders")\n\n\n'
    '@app.post("/orders/<order_id>/receipt")\n'
    "def receipt(order_id):\n"
    '    path = f"/tmp/{order_id}.pdf"\n'
    '    request.files["receipt"].save(path)\n'
    '    s3.upload_file(path, "receipts", f"{order_id}.pdf")\n'
    '    orders.update_item(Key={"id": order_id}, UpdateExpression="SET paid = :p")\n'
    '    bucket = boto3.resource("s3").Bucket("receipts")\n'
    "    url = s3.generate_presigned_url(\n"
    '        "get_object", Params={"Bucket": bucket.name, "Key": f"{order_id}.pdf"}\n'
    "    )\n"
    "    return jsonify(url=url)\n"
)


def test_a_session_client_upload_file_and_a_dynamodb_table(tmp_path: Path) -> None:
    """``upload_file`` raises boto3's S3UploadFailedError for S3's refusal, not ClientError;
    a table's write raises ClientError. The presigned URL and the Bucket handle are made
    locally: nothing for them."""
    root = _write(tmp_path, {"requirements.txt": "flask\nboto3\n", "app.py": RECEIPTS})
    found = _found(root)
    assert _where(root, found) == [("BKD302", "app.py", 14), ("BKD302", "app.py", 15)]
    upload, table = found
    assert upload.title == "Answer 502 when s3.upload_file fails"
    assert "`S3UploadFailedError`, which boto3 raises for S3's `ClientError`" in (upload.rationale)
    assert [e.new_text for e in upload.edits] == [
        "from boto3.exceptions import S3UploadFailedError\n"
        "from botocore.exceptions import BotoCoreError\n",
        "    try:\n"
        '        s3.upload_file(path, "receipts", f"{order_id}.pdf")\n'
        "    except (BotoCoreError, S3UploadFailedError):\n"
        '        return jsonify(error="upstream service unavailable"), 502',
    ]
    assert table.title == "Answer 502 when orders.update_item fails"
    new = apply_suggestion(table)[str(root / "app.py")]
    ast.parse(new)
    assert new == RECEIPTS.replace(
        "import boto3\n",
        "import boto3\nfrom botocore.exceptions import BotoCoreError, ClientError\n",
    ).replace(
        '    orders.update_item(Key={"id": order_id}, UpdateExpression="SET paid = :p")\n',
        "    try:\n"
        '        orders.update_item(Key={"id": order_id}, UpdateExpression="SET paid = :p")\n'
        "    except (BotoCoreError, ClientError):\n" + _502,
    )


def test_cognito_sign_in_errors_and_a_batch_writer_are_left_alone(tmp_path: Path) -> None:
    """Cognito answers a wrong password with a ClientError that is the user's (a 401), not an
    upstream's; a DynamoDB batch writer writes when its ``with`` ends, not at ``put_item``."""
    login = (
        "import boto3\n"
        "from flask import Flask, jsonify, request\n\n"
        "app = Flask(__name__)\n"
        'cognito = boto3.client("cognito-idp")\n'
        'events = boto3.resource("dynamodb").Table("events")\n\n\n'
        '@app.post("/login")\n'
        "def login():\n"
        "    body = request.get_json()\n"
        "    tokens = cognito.initiate_auth(\n"
        '        AuthFlow="USER_PASSWORD_AUTH",\n'
        '        AuthParameters={"USERNAME": body["user"], "PASSWORD": body["password"]},\n'
        '        ClientId="app",\n'
        "    )\n"
        "    with events.batch_writer() as batch:\n"
        '        batch.put_item(Item={"user": body["user"], "kind": "login"})\n'
        '    return jsonify(tokens["AuthenticationResult"])\n'
    )
    root = _write(tmp_path, {"requirements.txt": "flask\nboto3\n", "app.py": login})
    assert _found(root) == []


# --- stripe ------------------------------------------------------------------------------


def test_a_stripe_charge_in_a_fastapi_route(tmp_path: Path) -> None:
    root = _write(tmp_path, {"requirements.txt": "fastapi\nstripe>=8.0\n", "main.py": PAYMENTS})
    found = _found(root)
    assert _where(root, found) == [("BKD302", "main.py", 15)]
    (suggestion,) = found
    assert suggestion.title == "Answer 502 when stripe.Charge.create fails"
    assert suggestion.rationale.startswith(
        "A request Stripe rejects, a failure to reach it or a declined card (`StripeError`, "
        "whose `CardError` may deserve an answer of its own) raises out of `pay` as a 500"
    )
    new = apply_suggestion(suggestion)[str(root / "main.py")]
    ast.parse(new)
    assert new == PAYMENTS.replace(
        "from fastapi import FastAPI\n", "from fastapi import FastAPI, HTTPException\n"
    ).replace(
        "    charge = stripe.Charge.create(\n"
        '        amount=payment.amount, currency="usd", source=payment.token\n'
        "    )\n",
        "    try:\n"
        "        charge = stripe.Charge.create(\n"
        '            amount=payment.amount, currency="usd", source=payment.token\n'
        "        )\n"
        "    except stripe.StripeError as exc:\n"
        '        raise HTTPException(status_code=502, detail="upstream service unavailable")'
        " from exc\n",
    )
    assert _found(root) == []


@pytest.mark.parametrize(
    ("requirement", "error"),
    [
        # Before 7.8 the errors are only in stripe.error; 13 removed it.
        ("stripe==5.4.0\n", "stripe.error.StripeError"),
        ("stripe~=7.0\n", "stripe.error.StripeError"),
        ("stripe>=7.8\n", "stripe.StripeError"),
        ("stripe\n", "stripe.StripeError"),  # not pinned: a current release
        ("stripe>=2.0\n", None),  # 2.x (stripe.error only) up to 13+ (stripe.StripeError only)
    ],
)
def test_the_stripe_error_is_the_declared_versions(
    tmp_path: Path, requirement: str, error: str | None
) -> None:
    root = _write(tmp_path, {"requirements.txt": f"fastapi\n{requirement}", "main.py": PAYMENTS})
    found = _found(root)
    if error is None:
        assert found == []
        return
    (suggestion,) = found
    assert f"    except {error} as exc:\n" in suggestion.edits[-1].new_text


def test_a_card_error_handler_gets_stripes_other_errors_after_it(tmp_path: Path) -> None:
    """The module names ``stripe.error`` already (its stripe has it): the fix does too, as one
    more ``except`` after the card's. The webhook's signature check is made locally."""
    checkout = (
        "import stripe\n"
        "from flask import Flask, jsonify, request\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.post("/charge")\n'
        "def charge():\n"
        "    try:\n"
        '        paid = stripe.Charge.create(amount=500, currency="usd", source="tok")\n'
        "    except stripe.error.CardError as exc:\n"
        "        return jsonify(error=exc.user_message), 402\n"
        '    return jsonify(id=paid["id"])\n\n\n'
        '@app.post("/stripe/webhook")\n'
        "def webhook():\n"
        "    event = stripe.Webhook.construct_event(\n"
        '        request.data, request.headers["Stripe-Signature"], "whsec"\n'
        "    )\n"
        '    return jsonify(type=event["type"])\n'
    )
    root = _write(tmp_path, {"requirements.txt": "flask\nstripe\n", "app.py": checkout})
    found = _found(root)
    assert _where(root, found) == [("BKD302", "app.py", 10)]
    new = apply_suggestion(found[0])[str(root / "app.py")]
    ast.parse(new)
    assert new == checkout.replace(
        "        return jsonify(error=exc.user_message), 402\n",
        "        return jsonify(error=exc.user_message), 402\n"
        "    except stripe.error.StripeError:\n" + _502,
    )
    # Handled whole (``except stripe.StripeError``), nothing is said.
    assert _found(root) == []


# --- PyGithub ----------------------------------------------------------------------------


def test_a_github_repository_read_in_a_flask_view(tmp_path: Path) -> None:
    root = _write(tmp_path, {"requirements.txt": "Flask\nPyGithub\n", "app.py": REPOS})
    found = _found(root)
    assert _where(root, found) == [("BKD302", "app.py", 12)]
    (suggestion,) = found
    assert suggestion.title == "Answer 502 when gh.get_repo fails"
    assert suggestion.rationale.startswith(
        "A repository or user that does not exist, a bad token or the rate limit "
        "(`GithubException`) raises out of `repo_stars` as a 500"
    )
    new = apply_suggestion(suggestion)[str(root / "app.py")]
    ast.parse(new)
    assert new == REPOS.replace(
        "from github import Github\n", "from github import Github, GithubException\n"
    ).replace(
        '    repo = gh.get_repo(f"{owner}/{name}")\n',
        "    try:\n"
        '        repo = gh.get_repo(f"{owner}/{name}")\n'
        "    except GithubException:\n" + _502,
    )
    assert _found(root) == []


def test_a_bound_repository_is_followed_and_lazy_lookups_are_not(tmp_path: Path) -> None:
    """``repo.get_readme()`` on the repository ``get_repo`` returned fetches; the signed-in
    user (``get_user()``), a lazy repository and a paginated list fetch nothing yet."""
    readme = (
        "from flask import Flask, abort, jsonify\n"
        "from github import Github, GithubException\n\n"
        "app = Flask(__name__)\n"
        'gh = Github("token")\n\n\n'
        '@app.get("/repos/<owner>/<name>/readme")\n'
        "def show_readme(owner, name):\n"
        "    try:\n"
        '        repo = gh.get_repo(f"{owner}/{name}")\n'
        "    except GithubException:\n"
        "        abort(404)\n"
        "    me = gh.get_user()\n"
        '    upstream = gh.get_repo("octo/upstream", lazy=True)\n'
        "    issues = repo.get_issues()\n"
        "    text = repo.get_readme().decoded_content\n"
        "    return jsonify(readme=text.decode(), me=me.login, fork=upstream.full_name,"
        " issues=issues.totalCount)\n"
    )
    root = _write(tmp_path, {"requirements.txt": "Flask\nPyGithub\n", "app.py": readme})
    found = _found(root)
    assert _where(root, found) == [("BKD302", "app.py", 17)]
    assert found[0].title == "Answer 502 when repo.get_readme fails"
    new = apply_suggestion(found[0])[str(root / "app.py")]
    ast.parse(new)
    assert new == readme.replace(
        "    text = repo.get_readme().decoded_content\n",
        "    try:\n"
        "        text = repo.get_readme().decoded_content\n"
        "    except GithubException:\n"
        "        abort(502)\n",
    )


SERVICE = (
    "from github import Github\n\n\n"
    "class RepoStats:\n"
    "    def __init__(self, token):\n"
    "        self.gh = Github(token)\n\n"
    "    def stars(self, full_name):\n"
    "        return self.gh.get_repo(full_name).stargazers_count\n"
)
STARS = (
    "import os\n\n"
    "from flask import jsonify\n\n"
    "from hub import app\n"
    "from hub.github_service import RepoStats\n\n\n"
    '@app.get("/stars/<owner>/<name>")\n'
    "def stars(owner, name):\n"
    '    count = RepoStats(os.environ["GITHUB_TOKEN"]).stars(f"{owner}/{name}")\n'
    "    return jsonify(stars=count)\n"
)


def test_a_github_client_kept_on_a_service_object(tmp_path: Path) -> None:
    files = {"hub/__init__.py": FLASK_INIT, "hub/github_service.py": SERVICE}
    root = _write(
        tmp_path, {"requirements.txt": "Flask\nPyGithub\n", **files, "hub/views.py": STARS}
    )
    found = _found(root)
    assert _where(root, found) == [("BKD302", "hub/views.py", 11)]
    assert found[0].rationale.startswith(
        "`RepoStats.stars` calls GitHub (`self.gh.get_repo` in github_service.py)"
    )
    new = apply_suggestion(found[0])[str(root / "hub" / "views.py")]
    ast.parse(new)
    assert new == STARS.replace(
        "from flask import jsonify\n",
        "from flask import jsonify\nfrom github import GithubException\n",
    ).replace(
        '    count = RepoStats(os.environ["GITHUB_TOKEN"]).stars(f"{owner}/{name}")\n',
        "    try:\n"
        '        count = RepoStats(os.environ["GITHUB_TOKEN"]).stars(f"{owner}/{name}")\n'
        "    except GithubException:\n" + _502,
    )
    # An app-wide handler for GithubException answers it already.
    handlers = (
        "from github import GithubException\n\n"
        "from hub import app\n\n\n"
        "@app.errorhandler(GithubException)\n"
        "def github_failed(error):\n"
        '    return {"error": "GitHub is unavailable"}, 502\n'
    )
    twin = _write(
        tmp_path / "twin",
        {"requirements.txt": "Flask\nPyGithub\n", **files, "hub/views.py": STARS},
    )
    _write(twin, {"hub/errors.py": handlers})
    assert _found(twin) == []
