import sqlite3

RECENT_EVENTS = """
    SELECT id, kind FROM events
    WHERE account_id = ? AND occurred_at >= ?
    ORDER BY occurred_at
"""


def recent_events(conn: sqlite3.Connection, account_id: int, since: str):
    return conn.execute(RECENT_EVENTS, (account_id, since)).fetchall()


def events_of_kind(conn: sqlite3.Connection, kind: str):
    return conn.execute("SELECT id FROM events WHERE kind = ?", (kind,)).fetchall()


def account_by_email(conn: sqlite3.Connection, email: str):
    return conn.execute("SELECT id FROM accounts WHERE email = ?", (email,)).fetchone()
