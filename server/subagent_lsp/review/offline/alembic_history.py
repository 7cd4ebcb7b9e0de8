"""What an Alembic history leaves in the database: a migration's ``downgrade()`` builds nothing
the app runs on, and an index or unique constraint a later ``upgrade()`` drops is gone.

Each migration file records its revision, the revisions it follows (``down_revision``) and the
indexes and constraints its upgrade creates and drops, in order. Once the workspace's files are
merged, a drop removes the name unless a step that may come later (further down the same
upgrade, or in any revision the drop's does not follow) creates it again. A file without a
revision id is not placed in the history: its drops are not applied, and the index then counts
as existing, as it did before the history was read.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .pysource import Source, dotted

_DROPS = {"drop_index": "index_name", "drop_constraint": "constraint_name"}
_CREATES = {"create_index": "index_name", "create_unique_constraint": "constraint_name"}
MAX_REVISIONS = 2000


@dataclass
class Migration:
    revision: str
    follows: tuple[str, ...]
    # (position in the upgrade, table, name, created): the upgrade's steps, in order
    steps: list[tuple[int, str, str, bool]] = field(default_factory=list)


def downgrade_nodes(source: Source) -> set[int]:
    """The nodes inside a module-level ``def downgrade()``: what undoing a revision does."""
    out: set[int] = set()
    for module in source.modules:
        for stmt in module.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name.startswith("downgrade"):
                out.update(id(n) for n in source.nodes_of(stmt))
    return out


def migration_of(source: Source, skipped: set[int]) -> Migration | None:
    """The file's revision and the indexes its upgrade creates and drops (None: no revision)."""
    revision: str | None = None
    follows: tuple[str, ...] = ()
    for module in source.modules:
        for stmt in module.body:
            target, value = _assigned(stmt)
            if target == "revision" and isinstance(value, ast.Constant):
                revision = value.value if isinstance(value.value, str) else None
            elif target == "down_revision" and value is not None:
                follows = _revisions(value)
    if revision is None:
        return None
    out = Migration(revision, follows)
    for position, node in enumerate(source.walk()):
        if not isinstance(node, ast.Call) or id(node) in skipped:
            continue
        func = dotted(node.func)
        op = func[3:] if func.startswith("op.") else ""
        keyword = _DROPS.get(op) or _CREATES.get(op)
        if keyword is None:
            continue
        kws = {k.arg: k.value for k in node.keywords if k.arg}
        name = op_name(node.args[0] if node.args else kws.get(keyword))
        table = _text(node.args[1] if len(node.args) > 1 else kws.get("table_name"))
        if name and table:
            out.steps.append((position, table, name, op in _CREATES))
    return out


def op_name(node: ast.expr | None) -> str | None:
    """A name as Alembic takes it: a string, or ``op.f("ix_users_email")`` (the name as is)."""
    if isinstance(node, ast.Call) and dotted(node.func) in ("op.f", "f") and node.args:
        return _text(node.args[0])
    return _text(node)


def dropped(migrations: list[Migration]) -> dict[str, set[str]]:
    """table -> the index and constraint names the history's upgrades leave dropped."""
    migrations = migrations[:MAX_REVISIONS]
    follows = {m.revision: m.follows for m in migrations}
    out: dict[str, set[str]] = {}
    for migration in migrations:
        for position, table, name, created in migration.steps:
            if created:
                continue
            later = any(
                _creates_after(other, migration, position, table, name, follows)
                for other in migrations
            )
            if not later:
                out.setdefault(table, set()).add(name)
    return out


def _creates_after(
    other: Migration,
    drop: Migration,
    position: int,
    table: str,
    name: str,
    follows: dict[str, tuple[str, ...]],
) -> bool:
    for at, t, n, created in other.steps:
        if not created or (t, n) != (table, name):
            continue
        if other.revision == drop.revision:
            if at > position:
                return True
        elif other.revision not in _ancestors(drop.revision, follows):
            return True  # after the drop, or on another branch: the name may exist
    return False


def _ancestors(revision: str, follows: dict[str, tuple[str, ...]]) -> set[str]:
    seen: set[str] = set()
    stack = list(follows.get(revision, ()))
    while stack and len(seen) < MAX_REVISIONS:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(follows.get(current, ()))
    return seen


def _assigned(stmt: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        return (target.id if isinstance(target, ast.Name) else None), stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return stmt.target.id, stmt.value
    return None, None


def _revisions(node: ast.expr) -> tuple[str, ...]:
    elements = node.elts if isinstance(node, ast.Tuple | ast.List) else [node]
    return tuple(t for t in (_text(e) for e in elements) if t)


def _text(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None
