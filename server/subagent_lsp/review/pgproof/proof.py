"""EXPLAIN (FORMAT JSON) before and after an index: proven when the planner uses the index and
the plan's total cost at least halves. (A smaller drop was judged noise on a real app: an
ORM filter whose literal we cannot see, bound to a selective value, showed 18%.)

The index is hypothetical (HypoPG) where the extension is there and the method is one HypoPG
models (btree, hash, brin); otherwise it is real, built inside a transaction that is rolled back
(the cluster is throwaway, and PostgreSQL's DDL is transactional, so nothing stays behind).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

PROBE = "proposed_index"
GAIN = 0.5  # the plan must cost at most this fraction of what it cost before
# A plan that already reads the table through an existing index at less than this cost (on the
# 100,000 synthetic rows) visits a handful of pages: halving it was judged noise on a real app
# (a grant found by its indexed code, then by its client too).
NARROW_COST = 100.0
_EXISTING_INDEX = re.compile(r"\b(?:Index|Index Only|Bitmap Index) Scan using (\S+)")


@dataclass(frozen=True)
class Plan:
    cost: float
    lines: tuple[str, ...]  # one node a line, indented by depth
    head: str  # the scan that reads the table: "Seq Scan", "Index Scan using ..."

    def uses(self, index: str) -> bool:
        return any(index in line for line in self.lines)


@dataclass(frozen=True)
class PgProof:
    proven: bool
    before: Plan | None
    after: Plan | None
    why: str
    version: str

    def summary(self) -> str:
        if self.before is None or self.after is None:
            return self.why
        return (
            f"{self.before.head} cost {self.before.cost:,.0f} → "
            f"{self.after.head} cost {self.after.cost:,.0f}"
        )


def explain(conn: psycopg.Connection[Any], sql: str) -> Plan:
    row = conn.execute(f"EXPLAIN (FORMAT JSON) {sql}").fetchone()
    data = row[0] if row else []
    if isinstance(data, str):
        data = json.loads(data)
    root = data[0]["Plan"]
    lines: list[str] = []
    scans: list[str] = []
    _walk(root, 0, lines, scans)
    return Plan(float(root["Total Cost"]), tuple(lines), scans[0] if scans else lines[0])


def _walk(node: dict[str, Any], depth: int, lines: list[str], scans: list[str]) -> None:
    kind = str(node.get("Node Type", "?"))
    if node.get("Parallel Aware"):
        kind = f"Parallel {kind}"
    label = kind
    if "Index Name" in node:
        label += f" using {node['Index Name']}"
    if "Relation Name" in node:
        label += f" on {node['Relation Name']}"
    if "Scan" in kind:
        scans.append(label.split(" on ")[0])
    cost = f"(cost={node.get('Startup Cost', 0):.2f}..{node.get('Total Cost', 0):.2f}"
    lines.append(f"{'  ' * depth}{label} {cost} rows={node.get('Plan Rows', 0)})")
    for child in node.get("Plans", []):
        _walk(child, depth + 1, lines, scans)


def has_hypopg(conn: psycopg.Connection[Any]) -> bool:
    import psycopg

    try:
        conn.execute("CREATE EXTENSION IF NOT EXISTS hypopg")
    except psycopg.Error:
        return False
    return True


_HYPO_METHODS = re.compile(r"\bUSING\s+(gin|gist|spgist)\b", re.IGNORECASE)


def _narrowed(plan: Plan, probe: str) -> bool:
    """Read through an existing index, and not sorted after (an index that spares the sort of
    a user's posts by time was judged worth it, however few the rows)."""
    if any(line.lstrip().startswith(("Sort", "Incremental Sort")) for line in plan.lines):
        return False
    return any(m.group(1) != probe for line in plan.lines for m in _EXISTING_INDEX.finditer(line))


def compare(
    conn: psycopg.Connection[Any],
    sql: str,
    create_index: str,
    hypopg: bool,
    version: str,
    real: bool = True,
) -> PgProof:
    """``create_index`` is a whole ``CREATE INDEX`` statement; its index is named PROBE when
    real (HypoPG names its own). ``real=False`` (the user's database): HypoPG or nothing."""
    import psycopg

    if not real and (not hypopg or _HYPO_METHODS.search(create_index)):
        return PgProof(False, None, None, "HypoPG cannot model this index", version)
    try:
        before = explain(conn, sql)
        if hypopg and not _HYPO_METHODS.search(create_index):
            row = conn.execute(
                "SELECT indexname FROM hypopg_create_index(%s)", (create_index,)
            ).fetchone()
            try:
                after = explain(conn, sql)
            finally:
                conn.execute("SELECT hypopg_reset()")
            name = str(row[0]) if row else PROBE
        else:
            with conn.transaction(force_rollback=True):
                conn.execute(create_index)
                after = explain(conn, sql)
            name = PROBE
    except psycopg.Error as err:
        return PgProof(False, None, None, f"PostgreSQL could not run the probe: {err}", version)
    if not after.uses(name):
        return PgProof(False, before, after, "the planner does not use the index", version)
    if after.cost > before.cost * GAIN:
        return PgProof(False, before, after, "the plan does not cost half as much", version)
    if before.cost < NARROW_COST and _narrowed(before, name):
        return PgProof(False, before, after, "an existing index already narrows the rows", version)
    return PgProof(True, before, after, "the planner uses the index and the cost drops", version)
