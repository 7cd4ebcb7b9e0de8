"""``select(func.count(Appointment.id)).join(Slot, ...).where(Appointment.patient_id == x,
Slot.starts_at > now)`` reads appointments, the table the aggregate counts: the joined slots
are not where its rows come from, so its foreign key gets the index a planted set expected
(the query was dropped because its conditions name two models). The twin whose foreign key
is indexed stays silent."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

_APP = """\
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Slot(Base):
    __tablename__ = "slots"
    id: Mapped[int] = mapped_column(primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime)


class Appointment(Base):
    __tablename__ = "appointments"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"){indexed})
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"), unique=True)


def upcoming(db: Session, patient_id: int, now: datetime) -> int:
    return db.scalar(
        select(func.count(Appointment.id))
        .join(Slot, Slot.id == Appointment.slot_id)
        .where(Appointment.patient_id == patient_id, Slot.starts_at > now)
    )
"""


def _indexes(root: Path, indexed: str) -> list[str]:
    (root / "booking.py").write_text(_APP.format(indexed=indexed))
    (root / "requirements.txt").write_text("sqlalchemy\n")
    return [s.title for s in collect([str(root)], ["index"]) if s.code == "BKD101"]


def test_the_counted_table_of_a_join_gets_its_index(tmp_path: Path) -> None:
    assert _indexes(tmp_path, "") == ["Add an index on appointments (patient_id)"]


def test_an_indexed_foreign_key_serves_it(tmp_path: Path) -> None:
    assert _indexes(tmp_path, ", index=True") == []
