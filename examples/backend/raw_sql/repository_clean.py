"""Queries every index already serves: nothing to suggest."""

import sqlite3


def events_of_kind(conn: sqlite3.Connection, kind: str):
    return conn.execute("SELECT id FROM events WHERE kind = ?", (kind,)).fetchall()


def account_by_email(conn: sqlite3.Connection, email: str):
    return conn.execute("SELECT id FROM accounts WHERE email = ?", (email,)).fetchone()


def account(conn: sqlite3.Connection, account_id: int):
    return conn.execute("SELECT * FROM accounts WHERE id = ?", (account_id,)).fetchone()
