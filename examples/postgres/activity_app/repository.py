import psycopg

RECENT = """
    SELECT id, payload FROM activity
    WHERE tenant_id = %s AND created_at > %s
    ORDER BY created_at DESC
    LIMIT 50
"""


def recent_activity(conn: psycopg.Connection, tenant_id: int, since: str):
    return conn.execute(RECENT, (tenant_id, since)).fetchall()


def activity_from(conn: psycopg.Connection, source: str):
    return conn.execute(
        "SELECT id FROM activity WHERE payload->>'source' = %s", (source,)
    ).fetchall()


def documents_tagged(conn: psycopg.Connection, tags: list[str]):
    return conn.execute("SELECT id, title FROM documents WHERE tags @> %s", (tags,)).fetchall()


def open_documents(conn: psycopg.Connection, title: str):
    return conn.execute(
        "SELECT id FROM documents WHERE title = %s AND archived_at IS NULL", (title,)
    ).fetchall()
