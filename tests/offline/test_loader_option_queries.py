"""A chain's loader and execution options (``.options(selectinload(...))``,
``.with_for_update()``, ``.execution_options(...)``) change how rows load, not which: the
WHERE and ORDER BY still want their index (a dispatcher's poll was dropped for its
``.options(...)``). The twin with the composite declared stays silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect

_APP = """\
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from sqlalchemy.orm import selectinload


class Base(DeclarativeBase):
    pass


class Visit(Base):
    __tablename__ = "visits"
    id: Mapped[int] = mapped_column(primary_key=True)


class Reminder(Base):
    __tablename__ = "reminders"{table_args}
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    send_at: Mapped[datetime] = mapped_column(DateTime)
    visit: Mapped[Visit] = relationship()


def due(db: Session, now: datetime) -> list[Reminder]:
    query = (
        select(Reminder)
        .where(Reminder.state == "pending", Reminder.send_at <= now)
        .order_by(Reminder.send_at)
        .limit(100)
        {option}
    )
    return list(db.scalars(query))
"""

_OPTIONS = [
    ".options(selectinload(Reminder.visit))",
    ".with_for_update(skip_locked=True)",
    ".execution_options(populate_existing=True)",
]
_DECLARED = '\n    __table_args__ = (Index("ix_reminders_state_send_at", "state", "send_at"),)'


def _indexes(root: Path, option: str, table_args: str) -> list[str]:
    (root / "jobs.py").write_text(_APP.format(option=option, table_args=table_args))
    (root / "requirements.txt").write_text("sqlalchemy\n")
    return [s.title for s in collect([str(root)], ["index"]) if s.code == "BKD101"]


@pytest.mark.parametrize("option", _OPTIONS)
def test_a_chain_with_loader_options_keeps_its_index(tmp_path: Path, option: str) -> None:
    assert _indexes(tmp_path, option, "") == ["Add an index on reminders (state, send_at)"]


@pytest.mark.parametrize("option", _OPTIONS)
def test_the_declared_composite_serves_it(tmp_path: Path, option: str) -> None:
    assert _indexes(tmp_path, option, _DECLARED) == []
