"""What the editor shows and does with an agent's or skill's name, over a NameIndex: which
definition a jump goes to, where the name is used, the hover summary, the code lens titles and
the edits a rename makes. No LSP types here."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from .findings import Position, Span
from .navigation import AGENT_NAME, Definition, NameIndex, Reference, winner
from .rules.catalog import agent_facts, agent_markdown
from .spec import Kind

Place = tuple[str, Span]  # (path, span)


def kind_of(found: Definition | Reference) -> Kind:
    return found.kind if isinstance(found, Definition) else found.target


def matching(index: NameIndex, query: str) -> list[Definition]:
    """Definitions whose name contains ``query`` (any case; all of them for an empty one)."""
    needle = query.lower()
    return [d for d in index.all_definitions() if not needle or needle in d.name.lower()]


def definitions_of(
    index: NameIndex, found: Definition | Reference, near: str | None
) -> list[Definition]:
    """Every definition of the name, the one Claude Code uses first."""
    definitions = index.definitions(found.name, kind_of(found))
    best = winner(definitions, near)
    return [best, *[d for d in definitions if d is not best]] if best else definitions


def references_of(
    index: NameIndex, found: Definition | Reference, declaration: bool
) -> list[Place]:
    kind = kind_of(found)
    out = [(r.path, r.span) for r in index.references(found.name, kind)]
    if declaration:
        out = [(d.path, d.span) for d in index.definitions(found.name, kind)] + out
    return out


def rename_range(found: Definition | Reference) -> Span | None:
    """The text a rename replaces at the cursor (a name's value without its quotes); None where
    nothing can be renamed (a command is named by its file)."""
    if kind_of(found) is Kind.COMMAND:
        return None
    if isinstance(found, Definition) and found.value_span:
        return found.value_span
    return found.span


@dataclass(frozen=True)
class RenamePlan:
    new_name: str
    edits: tuple[Place, ...]  # each span becomes ``new_name``
    moves: tuple[tuple[str, str], ...]  # agent files named after the agent, renamed with it


def rename_plan(
    index: NameIndex, found: Definition | Reference, new_name: str
) -> RenamePlan | None:
    """Every definition and reference of the name, and the agent files to rename along. Raises
    ValueError for a name Claude Code would not accept."""
    kind = kind_of(found)
    if kind is Kind.COMMAND:
        return None
    if not AGENT_NAME.match(new_name):
        raise ValueError(
            f"{new_name!r} is not a valid name: use lowercase letters, digits and hyphens."
        )
    old = found.name
    edits: list[Place] = []
    moves: list[tuple[str, str]] = []
    for d in index.definitions(old, kind):
        if d.value_span is None:
            continue
        edits.append((d.path, d.value_span))
        stem, ext = os.path.splitext(os.path.basename(d.path))
        if kind is Kind.SUBAGENT and stem == old:
            moves.append((d.path, os.path.join(os.path.dirname(d.path), new_name + ext)))
    edits.extend((r.path, r.span) for r in index.references(old, kind))
    return RenamePlan(new_name, tuple(edits), tuple(moves))


def name_summary(index: NameIndex, path: str, pos: Position, near: str | None) -> str | None:
    """Hover text on an agent's name: where it is used and which definition wins."""
    found = index.at(path, pos)
    if isinstance(found, Reference) and found.target is Kind.SUBAGENT:
        best = winner(index.definitions(found.name), near)
        facts = agent_facts(best.path) if best is not None else None
        return agent_markdown(facts) if facts is not None else None
    if not isinstance(found, Definition) or found.kind is not Kind.SUBAGENT:
        return None
    refs = index.references(found.name)
    definitions = index.definitions(found.name)
    used = _count(len(refs), "Used in {} place", "Not referenced")
    files = sorted({os.path.relpath(r.path, near or os.getcwd()) for r in refs})[:5]
    text = f"**{found.name}** ({found.scope} agent). {used}" + (
        f": {', '.join(files)}." if files else "."
    )
    if len(definitions) > 1:
        best = winner(definitions, near)
        others = [x for x in definitions if x is not best]
        if best is found:
            scopes = ", ".join(o.scope for o in others)
            text += f" This definition wins over {len(others)} other(s) ({scopes})."
        elif best is not None:
            text += f" Shadowed: the {best.scope} definition in {os.path.basename(best.path)} wins."
    return text


def lens_titles(index: NameIndex, path: str, near: str | None) -> Iterable[tuple[Span, str]]:
    """Above each agent defined in ``path``: how often it is used, and whether it wins."""
    names = index.files.get(path)
    for d in names.definitions if names is not None else ():
        refs = index.references(d.name)
        title = f"{len(refs)} reference{'s' if len(refs) != 1 else ''}"
        definitions = index.definitions(d.name)
        if len(definitions) > 1:
            best = winner(definitions, near)
            title += " · wins" if best is d else f" · shadowed by {best.scope if best else '?'}"
        yield d.span, title


def _count(n: int, some: str, none: str) -> str:
    return (some.format(n) + ("s" if n != 1 else "")) if n else none
