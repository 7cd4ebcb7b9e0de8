"""An index proof's SQLite plans are a function of the table's DDL and the query's text: the
same question (one query in file after file) is answered once, another one on its own."""

from __future__ import annotations

from subagent_lsp.review.offline.indexes import PROBE, _plans

TABLE = ("CREATE TABLE plan_orders (id INTEGER PRIMARY KEY, buyer_id INTEGER, total INTEGER)",)
QUERY = "SELECT * FROM plan_orders WHERE buyer_id = ?"


def test_the_same_question_is_answered_once() -> None:
    first = _plans(TABLE, QUERY, '"plan_orders"', '"buyer_id"')
    hits = _plans.cache_info().hits
    again = _plans(TABLE, QUERY, '"plan_orders"', '"buyer_id"')
    assert again is first and _plans.cache_info().hits == hits + 1
    assert not isinstance(first, str)
    before, after = first
    assert any(r.startswith("SCAN") for r in before)
    assert any(r.startswith("SEARCH") and PROBE in r for r in after)


def test_another_table_gets_its_own_answer() -> None:
    indexed = (*TABLE, "CREATE INDEX ix_buyer ON plan_orders (buyer_id)")
    plans = _plans(indexed, QUERY, '"plan_orders"', '"buyer_id"')
    assert not isinstance(plans, str)
    assert not any(r.startswith("SCAN") for r in plans[0])  # its own index already searches
    broken = _plans(("CREATE TABLE plan_orders (",), QUERY, '"plan_orders"', '"buyer_id"')
    assert isinstance(broken, str)  # SQLite's error, for the caller's unproven verdict
