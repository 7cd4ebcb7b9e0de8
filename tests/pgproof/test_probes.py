"""Placeholders bound to values the rows hold, by what they are compared with."""

from __future__ import annotations

import pytest

from subagent_lsp.definitions.findings import Span
from subagent_lsp.review.offline.queries import FoundQuery
from subagent_lsp.review.offline.schema import schema_from_sql
from subagent_lsp.review.offline.sql import query_shapes
from subagent_lsp.review.pgproof.probes import index_terms, probe_for

DDL = "CREATE TABLE t (id BIGINT PRIMARY KEY, a INT, b TEXT, doc JSONB, tags TEXT[]);"
TABLE = schema_from_sql("/s.sql", DDL).tables["t"]


def _probe(sql: str) -> tuple[FoundQuery, str]:
    [shape] = query_shapes(sql)
    found = FoundQuery(shape, Span.point(0, 0), sql, sql)
    probe = probe_for(found, TABLE)
    assert probe is not None
    asked: list[tuple[str, str]] = []

    def value(expr: str, op: str) -> str | None:
        asked.append((expr, op))
        return f"<{op}>"

    return found, probe.render(value) + " " + repr(asked)


@pytest.mark.parametrize(
    ("sql", "rendered"),
    [
        ("SELECT * FROM t WHERE a = %s AND b > %s", "a = '<eq>' AND b > '<gt>'"),
        ("SELECT * FROM t WHERE %s < a", "'<gt>' < a"),
        ("SELECT * FROM t WHERE a IN (?, ?)", "a IN ('<eq>', '<eq>')"),
        ("SELECT * FROM t WHERE a BETWEEN $1 AND $2", "a BETWEEN '<gt>' AND '<lt>'"),
        ("SELECT * FROM t WHERE b LIKE :p", "b LIKE 'v1%'"),
        ("SELECT * FROM t WHERE a = ? LIMIT ? OFFSET ?", "LIMIT 50 OFFSET 0"),
        ("SELECT * FROM t WHERE tags @> %s", "tags @> '<contains>'"),
        ("SELECT * FROM t x WHERE x.doc->>'k' = %s", "x.doc ->> 'k' = '<eq>'"),
        ("UPDATE t SET b = %s WHERE a = %s", "SET b = '<eq>' WHERE a = '<eq>'"),
        ("SELECT * FROM t WHERE a = %s AND b IS NOT DISTINCT FROM %s", "FROM NULL"),
    ],
)
def test_render(sql: str, rendered: str) -> None:
    assert rendered in _probe(sql)[1]


def test_expression_terms_lead_with_equalities() -> None:
    sql = "SELECT * FROM t WHERE a = %s AND doc->>'src' = %s AND b > %s"
    [shape] = query_shapes(sql)
    found = FoundQuery(shape, Span.point(0, 0), sql, sql)
    probe = probe_for(found, TABLE)
    assert probe is not None and probe.json_keys == [("doc", "src")]
    assert index_terms(found, TABLE, probe, None) == ["a", "(doc ->> 'src')", "b"]
    assert probe.tables() == {"t"}


def test_an_orm_shape_is_rebuilt() -> None:
    sql = "SELECT * FROM t WHERE a = ? ORDER BY b"
    [shape] = query_shapes(sql)
    found = FoundQuery(shape, Span.point(0, 0), "t.filter(a=...)")  # no SQL text: an ORM chain
    probe = probe_for(found, TABLE)
    assert probe is not None and probe.table == "t" and not probe.json_terms
    other = FoundQuery(shape, Span.point(0, 0), "x", "SELECT * FROM other WHERE a = ?")
    assert probe_for(other, TABLE) is None  # its SQL reads another table
