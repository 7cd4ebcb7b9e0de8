"""The fourth blind planted set, after its measurement (shapes of our own): a handler that
queries the failed session before it returns; ``Decimal()`` of raw POST input; ``.first()``
through a related manager of a fetched row; a Django range with both ends on one column, and
``exclude()`` that is no equality; a shell script's HTTP calls; models whose docstring says
the table holds a handful of rows."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _found(root: Path, kind: str) -> list[Suggestion]:
    return [s for s in collect([str(root)], [kind])]


def _edit_text(s: Suggestion) -> str:
    return "\n".join(e.new_text for e in s.edits)


FLEET = {
    "requirements.txt": "fastapi\nsqlalchemy>=2\n",
    "fleet/__init__.py": "",
    "fleet/db.py": """\
from collections.abc import Iterator

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

SessionLocal = sessionmaker(bind=create_engine("sqlite://"))


def get_db() -> Iterator[Session]:
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
""",
    "fleet/models.py": """\
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Truck(Base):
    __tablename__ = "trucks"
    id: Mapped[int] = mapped_column(primary_key=True)
    vin: Mapped[str] = mapped_column(String(17), unique=True)


class Yard(Base):
    \"\"\"Where trucks park overnight: a handful of yards per company.\"\"\"

    __tablename__ = "yards"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8))
""",
    "fleet/routes.py": """\
from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fleet.db import get_db
from fleet.models import Truck, Yard

router = APIRouter()


@router.post("/trucks")
def register(vin: str, db: Session = Depends(get_db)) -> Truck:
    truck = Truck(vin=vin)
    db.add(truck)
    try:
        db.commit()
    except IntegrityError:
        existing = db.scalars(select(Truck).where(Truck.vin == vin)).one()
        return existing
    return truck


@router.post("/trucks/quiet")
def register_quiet(vin: str, db: Session = Depends(get_db)) -> Truck:
    truck = Truck(vin=vin)
    db.add(truck)
    try:
        db.commit()
    except IntegrityError:
        raise HTTPException(status_code=409, detail="vin taken")
    return truck


@router.get("/yards/{code}")
def yard(code: str, db: Session = Depends(get_db)) -> Yard | None:
    return db.scalars(select(Yard).where(Yard.code == code)).first()
""",
}


def test_a_handler_that_queries_the_failed_session_rolls_back_first(tmp_path: Path) -> None:
    root = _write(tmp_path, FLEET)
    found = [s for s in _found(root, "error-handling") if s.code == "BKD303"]
    # register (line 17) queries in its except; register_quiet only answers 409
    assert [s.span.start.line + 1 for s in found] == [17]
    assert "db.rollback()" in _edit_text(found[0])


def test_no_index_on_a_table_its_model_calls_a_handful(tmp_path: Path) -> None:
    root = _write(tmp_path, FLEET)
    assert [s for s in _found(root, "index") if s.code == "BKD101"] == []
    said = FLEET["fleet/models.py"].replace("a handful of yards per company", "yards")
    root2 = _write(tmp_path / "plain", {**FLEET, "fleet/models.py": said})
    titles = [s.title for s in _found(root2, "index")]
    assert titles == ["Add an index on yards (code)"]


CLINIC = {
    "requirements.txt": "django>=4.2\n",
    "clinic/__init__.py": "",
    "clinic/models.py": """\
from django.db import models


class Visit(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked"
        CANCELLED = "cancelled"

    starts_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)


class Bill(models.Model):
    visit = models.ForeignKey(Visit, related_name="bills", on_delete=models.CASCADE)
    status = models.CharField(max_length=8)
    paid = models.DecimalField(max_digits=9, decimal_places=2, default=0)
""",
    "clinic/views.py": """\
import datetime as dt
from decimal import Decimal

from django.shortcuts import get_object_or_404, redirect, render

from clinic.models import Bill, Visit


def day(request):
    start = dt.datetime.now()
    visits = (
        Visit.objects.filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))
        .exclude(status=Visit.Status.CANCELLED)
        .order_by("starts_at")
    )
    return render(request, "day.html", {"visits": visits})


def checkout(request, pk):
    visit = get_object_or_404(Visit, pk=pk)
    bill = visit.bills.filter(status="open").first()
    return render(request, "checkout.html", {"visit": visit, "due": bill.paid})


def pay(request, pk):
    bill = get_object_or_404(Bill, pk=pk)
    amount = Decimal(request.POST.get("amount"))
    bill.paid += amount
    bill.save()
    return redirect("checkout", pk=bill.visit_id)
""",
}


def test_a_range_with_both_ends_on_one_column_beside_an_exclude(tmp_path: Path) -> None:
    root = _write(tmp_path, CLINIC)
    titles = [s.title for s in _found(root, "index")]
    # ``exclude(status=...)`` is no equality: the index is the range's column alone
    assert titles == ["Add an index on visit (starts_at)"]


def test_first_through_a_related_manager_of_a_fetched_row(tmp_path: Path) -> None:
    root = _write(tmp_path, CLINIC)
    found = [s for s in _found(root, "error-handling") if s.code == "BKD306"]
    assert [s.span.start.line + 1 for s in found] == [21]
    assert 'raise Http404("Bill not found")' in _edit_text(found[0])


def test_decimal_of_raw_post_input(tmp_path: Path) -> None:
    root = _write(tmp_path, CLINIC)
    found = [s for s in _found(root, "validation") if s.code == "BKD202"]
    assert [s.span.start.line + 1 for s in found] == [27]
    text = _edit_text(found[0])
    assert "InvalidOperation" in text and "from decimal import Decimal, InvalidOperation" in text
    guarded = CLINIC["clinic/views.py"].replace(
        '    amount = Decimal(request.POST.get("amount"))\n',
        "    try:\n"
        '        amount = Decimal(request.POST.get("amount"))\n'
        "    except InvalidOperation:\n"
        '        return redirect("checkout", pk=bill.visit_id)\n',
    )
    root2 = _write(tmp_path / "guarded", {**CLINIC, "clinic/views.py": guarded})
    assert [s for s in _found(root2, "validation") if s.code == "BKD202"] == []


def test_a_shell_scripts_calls_are_not_request_paths(tmp_path: Path) -> None:
    script = (
        "#!/usr/bin/env python3\n"
        "import requests\n\n\n"
        "def fetch_token(url):\n"
        "    return requests.get(url).json()\n"
    )
    root = _write(tmp_path, {"requirements.txt": "requests\n", "loader/login.py": script})
    assert _found(root, "error-handling") == []
    root2 = _write(
        tmp_path / "module", {"requirements.txt": "requests\n", "loader/login.py": script[23:]}
    )
    assert [s.code for s in _found(root2, "error-handling")] == ["BKD301"]
