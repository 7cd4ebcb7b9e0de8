"""What the backend-developer agent is sent: the code in scope, the schema it touches and the
file's imports, within a token budget, with secrets stripped first.

Every part that is sent goes through secrets.py's detectors first: the code in scope, the
imports, the schema snippets read from other files, and the file's path and the names shown
with them. A secret becomes a placeholder naming its kind (``[REDACTED:stripe-key]``) and the
scope's redactions are remembered, so an edit that would touch stripped text is refused
instead of being applied to something the agent never saw. Files that exclusions.py names are
never read for context at all.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..definitions.document import split_lines
from ..definitions.findings import Position, Span
from ..textfile import read_utf8
from .exclusions import Exclusions
from .offline.schema import Schema, Table
from .offline.treesitter import language_of
from .project_brief import project_brief
from .secrets import find_secrets, placeholder

if TYPE_CHECKING:
    from .project import Project

CHARS_PER_TOKEN = 3.5  # a conservative estimate for code (more tokens per char than prose)
DEFAULT_BUDGET_TOKENS = 8000


@dataclass(frozen=True)
class Redaction:
    start: int  # offsets in the original text
    end: int
    red_start: int  # offsets in the redacted text
    red_end: int
    label: str = "secret"


@dataclass
class Redacted:
    text: str
    redactions: list[Redaction] = field(default_factory=list)

    def to_original(self, start: int, end: int) -> tuple[int, int] | None:
        """Map a range of the redacted text back; None when it touches redacted text."""
        shift = 0
        for r in self.redactions:
            if end > r.red_start and start < r.red_end:
                return None
            if r.red_end <= start:
                shift += (r.end - r.start) - (r.red_end - r.red_start)
        return start + shift, end + shift


def redact(text: str, filename: str = "", patterns: tuple[str, ...] = ()) -> Redacted:
    """``text`` with each secret replaced by a placeholder naming its kind
    (``[REDACTED:stripe-key]``), so the agent still sees that a key is used there."""
    out: list[str] = []
    redactions: list[Redaction] = []
    cursor = 0
    length = 0
    for found in find_secrets(text, filename, patterns):
        out.append(text[cursor : found.start])
        length += found.start - cursor
        mark = placeholder(found.label)
        redactions.append(
            Redaction(found.start, found.end, length, length + len(mark), found.label)
        )
        out.append(mark)
        length += len(mark)
        cursor = found.end
    out.append(text[cursor:])
    return Redacted("".join(out), redactions)


@dataclass
class AgentContext:
    path: str
    kind: str
    scope: Span  # the code in scope, in file coordinates
    scope_text: str  # as in the file
    sent_scope: Redacted  # as sent
    imports: str
    schema: str
    language: str
    truncated: list[str] = field(default_factory=list)
    tables: int = 0  # how many table definitions ``schema`` holds
    sent_path: str = ""  # the path as sent (redacted like the rest)
    patterns: tuple[str, ...] = ()  # the user's secretPatterns, for whatever else is sent
    # How many secrets each part lost, by placeholder label (scope, imports, schema, path).
    redacted: dict[str, int] = field(default_factory=dict)
    withheld: int = 0  # table definitions not read: their files are excluded
    exclusions: Exclusions | None = None  # which files an edit may not touch either
    project: str = ""  # what the project model says beyond the scope (project_brief)

    def count(self, red: Redacted) -> str:
        for r in red.redactions:
            self.redacted[r.label] = self.redacted.get(r.label, 0) + 1
        return red.text

    def scrub(self, text: str) -> str:
        """Any other text bound for the API (the system prompt: a workspace's own agent file),
        redacted the same way; not counted, as it is scrubbed again for every request."""
        return redact(text, "", self.patterns).text

    def redaction_summary(self) -> str:
        """``3 secrets redacted (stripe-key x2, jwt)``, or an empty string."""
        total = sum(self.redacted.values())
        if not total:
            return ""
        kinds = ", ".join(
            label if n == 1 else f"{label} x{n}" for label, n in sorted(self.redacted.items())
        )
        return f"{total} secret{'s' if total != 1 else ''} redacted ({kinds})"

    def describe(self) -> str:
        lines = self.scope.end.line - self.scope.start.line + 1
        summary = self.redaction_summary()
        return (
            f"{lines} lines of {os.path.basename(self.path)}"
            + (f", {self.tables} table definitions" if self.tables else "")
            + (", imports" if self.imports else "")
            + (f" ({summary})" if summary else "")
        )

    def prompt(self) -> str:
        task = {
            "index": "Suggest the indexes this code's queries need (and only those).",
            "validation": "Add input validation for the request data this code uses.",
            "error-handling": "Add error handling for the writes and I/O here that can fail.",
        }[self.kind]
        parts = [
            f"Task: {task}",
            f"File: {self.sent_path or self.path} ({self.language}), "
            f"lines {self.scope.start.line + 1}-{self.scope.end.line + 1}.",
            "",
            "The code in scope:",
            f"```{self.language}",
            self.sent_scope.text,
            "```",
        ]
        if self.imports:
            parts += ["", "The file's imports:", f"```{self.language}", self.imports, "```"]
        if self.schema:
            parts += ["", "The schema this code touches:", "```", self.schema, "```"]
        if self.project:
            parts += ["", "About the project as a whole:", self.project]
        if self.truncated:
            parts += ["", "Left out to stay within the budget: " + ", ".join(self.truncated) + "."]
        parts += [
            "",
            "Answer only with the propose_changes tool. Every `find` must be copied exactly from "
            "the code in scope and occur there exactly once; text shown as [REDACTED:...] is a "
            "secret that was removed and must not be touched. If nothing needs to change, return "
            "an empty suggestions list.",
        ]
        return "\n".join(parts)


def estimate_tokens(text: str) -> int:
    return int(len(text) / CHARS_PER_TOKEN) + 1


def _language(path: str) -> str:
    if path.endswith(".sql"):
        return "sql"
    grammar = language_of(path)
    return {"tsx": "typescript"}.get(grammar, grammar) if grammar else "python"


def _imports_of(lines: list[str]) -> str:
    """Python's and ES modules' import lines, CommonJS ``require``s and Go's import block."""
    found = []
    in_block = False
    for line in lines:
        if in_block:
            found.append(line)
            in_block = line.strip() != ")"
        elif line.startswith(("import ", "from ")) or _REQUIRE.search(line):
            found.append(line)
            in_block = line.rstrip() == "import ("
    return "\n".join(found)


_REQUIRE = re.compile(r"^(const|let|var)\s.*\brequire\(")


def table_source(table: Table) -> str:
    """The definition of a table as written: its CREATE TABLE and CREATE INDEX statements (from
    a .sql file or a DDL string in Python), or its model class."""
    if table.ddl:
        return "\n".join(table.ddl)
    if table.origin not in ("sqlalchemy", "django") or not table.class_body_end:
        return ""
    text = read_utf8(table.path)
    if text is None:
        return ""
    return "\n".join(split_lines(text)[table.class_line : table.class_body_end + 1])


def build_context(
    path: str,
    text: str,
    scope: Span,
    kind: str,
    schema: Schema,
    budget_tokens: int = DEFAULT_BUDGET_TOKENS,
    patterns: tuple[str, ...] = (),
    exclusions: Exclusions | None = None,
    project: Project | None = None,
) -> AgentContext:
    """What is sent for ``scope`` of ``path``; ``patterns`` are the user's secretPatterns and
    ``exclusions`` the files whose table definitions are never read."""
    lines = split_lines(text)
    last = min(scope.end.line, len(lines) - 1)
    scope = Span(Position(scope.start.line, 0), Position(last, len(lines[last]) if lines else 0))
    scope_text = "\n".join(lines[scope.start.line : last + 1])
    name = os.path.basename(path)
    context = AgentContext(
        path=path,
        kind=kind,
        scope=scope,
        scope_text=scope_text,
        sent_scope=redact(scope_text, name, patterns),
        imports="",
        schema="",
        language=_language(path),
        patterns=patterns,
        exclusions=exclusions,
    )
    context.count(context.sent_scope)
    context.sent_path = context.count(redact(path, name, patterns))
    budget = budget_tokens - estimate_tokens(context.prompt())
    imports = redact(_imports_of(lines), name, patterns)
    if estimate_tokens(imports.text) <= budget:
        context.imports = context.count(imports)
        budget -= estimate_tokens(imports.text)
    else:
        context.truncated.append("the imports")
    pieces = []
    touched: list[Table] = []
    for table_name, table in sorted(schema.tables.items()):
        # A word search, not a parse: the scope is Python or SQL, possibly half-typed, and a
        # table is "touched" when its name or its model's name appears in it at all.
        model = table.model or table_name
        accessor = model[:1].lower() + model[1:]  # Prisma's client: prisma.order
        if not re.search(
            rf"\b{re.escape(table_name)}\b|\b{re.escape(model)}\b|\.{re.escape(accessor)}\.",
            scope_text,
        ):
            continue
        if exclusions is not None and table.path != path and exclusions.excluded(table.path):
            context.withheld += 1
            continue
        touched.append(table)
        source = redact(table_source(table), os.path.basename(table.path), patterns)
        if not source.text:
            continue
        cost = estimate_tokens(source.text)
        if cost > budget:
            context.truncated.append(
                context.count(redact(f"the definition of {table_name}", "", patterns))
            )
            continue
        budget -= cost
        heading = redact(f"-- {table_name} ({os.path.basename(table.path)})", "", patterns)
        pieces.append(f"{context.count(heading)}\n{context.count(source)}")
    context.schema = "\n\n".join(pieces)
    context.tables = len(pieces)
    brief = redact(
        "\n".join(f"- {line}" for line in project_brief(project, schema, touched)), "", patterns
    )
    if brief.text and estimate_tokens(brief.text) <= budget:
        context.project = context.count(brief)
    elif brief.text:
        context.truncated.append("the facts about the project")
    return context
