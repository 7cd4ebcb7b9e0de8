"""What the backend-developer agent is sent: the code in scope, the schema it touches and the
file's imports, within a token budget, with secrets stripped first.

Redaction replaces what looks like a secret (API keys, tokens, passwords in string literals,
private keys) with ``[REDACTED]`` and remembers where, so an edit that would touch stripped text
can be refused instead of being applied to something the agent never saw.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from ..definitions.document import split_lines
from ..definitions.findings import Position, Span
from ..textfile import read_utf8
from .offline.schema import Schema, Table

REDACTED = "[REDACTED]"
CHARS_PER_TOKEN = 3.5  # a conservative estimate for code (more tokens per char than prose)
DEFAULT_BUDGET_TOKENS = 8000

_SECRET_PATTERNS = (
    # assignments and keyword arguments whose name says secret: keep the name, drop the value
    re.compile(
        r"""(?ix)
        (?P<keep>\b[\w.-]*(?:api[_-]?key|secret|token|passw(?:or)?d|pwd|credential|auth)[\w-]*
        ["']?\s*[:=]\s*(?:[rbuf]{0,2})["'])
        (?P<secret>[^"'\n]{4,})
        (?=["'])
        """
    ),
    re.compile(r"(?P<keep>)(?P<secret>\bsk-(?:ant-)?[A-Za-z0-9_\-]{16,})"),
    re.compile(r"(?P<keep>)(?P<secret>\b(?:AKIA|ASIA)[A-Z0-9]{16}\b)"),
    re.compile(r"(?P<keep>)(?P<secret>\b(?:ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,})"),
    re.compile(r"(?P<keep>)(?P<secret>\bxox[abpors]-[A-Za-z0-9-]{10,})"),
    re.compile(
        r"(?P<keep>)(?P<secret>\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})"
    ),
    re.compile(
        r"(?P<keep>)(?P<secret>-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?"
        r"-----END [A-Z ]*PRIVATE KEY-----)"
    ),
    # credentials inside URLs: scheme://user:password@host
    re.compile(r"(?P<keep>\b[a-z][a-z0-9+.-]*://[^\s:/@]+:)(?P<secret>[^\s@/]{3,})(?=@)"),
)


@dataclass(frozen=True)
class Redaction:
    start: int  # offsets in the original text
    end: int
    red_start: int  # offsets in the redacted text
    red_end: int


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


def redact(text: str) -> Redacted:
    spans: list[tuple[int, int]] = []
    for pattern in _SECRET_PATTERNS:
        for m in pattern.finditer(text):
            spans.append((m.start("secret"), m.end("secret")))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    out: list[str] = []
    redactions: list[Redaction] = []
    cursor = 0
    length = 0
    for start, end in merged:
        out.append(text[cursor:start])
        length += start - cursor
        redactions.append(Redaction(start, end, length, length + len(REDACTED)))
        out.append(REDACTED)
        length += len(REDACTED)
        cursor = end
    out.append(text[cursor:])
    return Redacted("".join(out), redactions)


def is_secret_file(path: str) -> bool:
    name = os.path.basename(path).lower()
    return name == ".env" or name.startswith(".env.") or name.endswith((".pem", ".key"))


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

    def describe(self) -> str:
        lines = self.scope.end.line - self.scope.start.line + 1
        return (
            f"{lines} lines of {os.path.basename(self.path)}"
            + (f", {self.tables} table definitions" if self.tables else "")
            + (", imports" if self.imports else "")
            + (
                f" ({len(self.sent_scope.redactions)} secrets stripped)"
                if self.sent_scope.redactions
                else ""
            )
        )

    def prompt(self) -> str:
        task = {
            "index": "Suggest the indexes this code's queries need (and only those).",
            "validation": "Add input validation for the request data this code uses.",
            "error-handling": "Add error handling for the writes and I/O here that can fail.",
        }[self.kind]
        parts = [
            f"Task: {task}",
            f"File: {self.path} ({self.language}), lines {self.scope.start.line + 1}-"
            f"{self.scope.end.line + 1}.",
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
        if self.truncated:
            parts += ["", "Left out to stay within the budget: " + ", ".join(self.truncated) + "."]
        parts += [
            "",
            "Answer only with the propose_changes tool. Every `find` must be copied exactly from "
            "the code in scope and occur there exactly once; text shown as [REDACTED] must not be "
            "touched. If nothing needs to change, return an empty suggestions list.",
        ]
        return "\n".join(parts)


def estimate_tokens(text: str) -> int:
    return int(len(text) / CHARS_PER_TOKEN) + 1


def _language(path: str) -> str:
    return "sql" if path.endswith(".sql") else "python"


def _imports_of(lines: list[str]) -> str:
    found = [line for line in lines if line.startswith(("import ", "from "))]
    return "\n".join(found)


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
) -> AgentContext:
    lines = split_lines(text)
    last = min(scope.end.line, len(lines) - 1)
    scope = Span(Position(scope.start.line, 0), Position(last, len(lines[last]) if lines else 0))
    scope_text = "\n".join(lines[scope.start.line : last + 1])
    context = AgentContext(
        path=path,
        kind=kind,
        scope=scope,
        scope_text=scope_text,
        sent_scope=redact(scope_text),
        imports="",
        schema="",
        language=_language(path),
    )
    budget = budget_tokens - estimate_tokens(context.prompt())
    imports = redact(_imports_of(lines)).text
    if estimate_tokens(imports) <= budget:
        context.imports = imports
        budget -= estimate_tokens(imports)
    else:
        context.truncated.append("the imports")
    pieces = []
    for name, table in sorted(schema.tables.items()):
        # A word search, not a parse: the scope is Python or SQL, possibly half-typed, and a
        # table is "touched" when its name or its model's name appears in it at all.
        if not re.search(
            rf"\b{re.escape(name)}\b|\b{re.escape(table.model or name)}\b", scope_text
        ):
            continue
        source = redact(table_source(table)).text
        if not source:
            continue
        cost = estimate_tokens(source)
        if cost > budget:
            context.truncated.append(f"the definition of {name}")
            continue
        budget -= cost
        pieces.append(f"-- {name} ({os.path.basename(table.path)})\n{source}")
    context.schema = "\n\n".join(pieces)
    context.tables = len(pieces)
    return context
