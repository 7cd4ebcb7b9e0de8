import psycopg


def latest_activity(conn: psycopg.Connection, since: str):
    query = "SELECT id FROM activity WHERE created_at > %s ORDER BY created_at DESC LIMIT 50"
    return conn.execute(query, (since,)).fetchall()


def account_by_email(conn: psycopg.Connection, email: str):
    return conn.execute("SELECT id FROM tenants WHERE email = %s", (email,)).fetchone()


def documents_of(conn: psycopg.Connection, tenant_id: int):
    return conn.execute("SELECT id FROM documents WHERE tenant_id = %s", (tenant_id,)).fetchall()


def activity_of_kind(conn: psycopg.Connection, kind: str):
    return conn.execute("SELECT id FROM activity WHERE payload->>'kind' = %s", (kind,)).fetchall()
