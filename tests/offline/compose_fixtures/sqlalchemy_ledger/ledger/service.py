from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Entry


def add_entry(engine, account, kind):
    session = Session(engine)
    entry = Entry(account=account, kind=kind)
    session.add(entry)
    session.commit()
    session.refresh(entry)
    return entry


def rename_entries(engine, account, memo):
    session = Session(engine)
    for entry in session.scalars(select(Entry).where(Entry.account == account)):
        entry.memo = memo
    session.commit()
    session.expire_all()


def entries_of_kind(session, account, kind):
    return session.scalars(select(Entry).where(Entry.account == account, Entry.kind == kind)).all()


def recent_entries(session, kind, since):
    return session.scalars(select(Entry).where(Entry.kind == kind, Entry.booked >= since)).all()


def memo_entries(session, memo, since):
    return session.scalars(select(Entry).where(Entry.memo == memo, Entry.booked >= since)).all()
