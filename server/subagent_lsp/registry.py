"""The typed rule registry shared by both families: agent-file rules (AGT) and backend
suggestions (BKD).

A rule is declared once, beside the check that emits it (``definitions/rules/*.py`` for AGT,
``review/rules.py`` for BKD), in the style of ruff: code, name, default severity, summary, why it
matters, a runnable example, how to fix it and whether the fix is safe. The function that emits
it is recorded by ``@emits``, so docs, ``subagent-lsp rule CODE`` and the tests all read one
entry. Everything user-facing (docs/rules.md, SARIF, hovers) is generated from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from .definitions.findings import Severity
from .records import TYPE_CHECKING, Record

RULES_DOC = "https://github.com/subagent-lsp/subagent-lsp/blob/main/docs/rules.md"

if TYPE_CHECKING:
    from typing import Literal, TypeVar

    Family = Literal["agent-files", "backend"]
    # What the rule's fix is: applied by `--fix` (safe), offered as a quick fix only (unsafe: a
    # guess the author must confirm), or no edit at all (none).
    Applicability = Literal["safe", "unsafe", "none"]
    F = TypeVar("F", bound=Callable[..., object])

# Tags with a meaning elsewhere in the code.
NOT_LOADED = "not-loaded"  # the file or agent is not loaded at all: it cannot clash by name
# What the flagged text is, for editors that render it (LSP's DiagnosticTag): text that can go
# without changing anything (faded), and text that still works but is on its way out (struck).
UNNECESSARY = "unnecessary"
DEPRECATED = "deprecated"


class Example(Record):
    """A minimal file that triggers the rule; ``files`` are other files it needs (relative
    path -> text). Runnable: tests check it triggers the rule and its fix removes it."""

    __slots__ = ("files", "note", "path", "text")

    def __init__(
        self,
        text: str,
        path: str = ".claude/agents/reviewer.md",
        files: Mapping[str, str] = MappingProxyType({}),
        note: str = "",  # what the example stands for, when the text alone does not say
    ) -> None:
        self.text = text
        self.path = path
        self.files = files
        self.note = note


class Rule(Record):
    __slots__ = (
        "applicability",
        "code",
        "example",
        "family",
        "fix",
        "name",
        "severity",
        "summary",
        "tags",
        "why",
    )

    def __init__(
        self,
        code: str,
        name: str,
        severity: Severity,
        summary: str,
        why: str,
        example: Example | None = None,
        fix: str = "",  # how to fix it, in words
        applicability: Applicability = "none",
        tags: frozenset[str] = frozenset(),
        family: Family = "agent-files",
    ) -> None:
        self.code = code
        self.name = name
        self.severity = severity
        self.summary = summary
        self.why = why
        self.example = example
        self.fix = fix
        self.applicability = applicability
        self.tags = tags
        self.family = family

    @property
    def url(self) -> str:
        return f"{RULES_DOC}#{self.code.lower()}"

    @property
    def not_loaded(self) -> bool:
        return NOT_LOADED in self.tags

    def example_markdown(self) -> str:
        """The example as docs show it: where the file lives, then the file."""
        ex = self.example
        if ex is None:
            return ""
        others = f" (beside {', '.join(f'`{p}`' for p in sorted(ex.files))})" if ex.files else ""
        head = f"`{ex.path}`{others}" + (f": {ex.note}" if ex.note else "")
        if not ex.text.isprintable() and not all(c.isprintable() or c in "\n\t" for c in ex.text):
            return head
        lang = _FENCE.get(ex.path.rsplit(".", 1)[-1], "markdown")
        return f"{head}\n\n```{lang}\n{ex.text.rstrip()}\n```"


# How a docs code fence names an example's language, by its file's suffix.
_FENCE = {
    "py": "python",
    "ts": "typescript",
    "js": "javascript",
    "go": "go",
    "sql": "sql",
    "json": "json",
}

# code -> the qualified names of the functions that emit it (filled by @emits at import).
EMITTERS: dict[str, list[str]] = {}


def emits(*codes: str) -> Callable[[F], F]:
    """Record that the decorated check emits ``codes`` (docs and tests read it)."""

    def mark(fn: F) -> F:
        where = f"{fn.__module__}.{fn.__qualname__}"
        for code in codes:
            EMITTERS.setdefault(code, []).append(where)
        return fn

    return mark


# Every rule declared so far, by code: a check looks its default severity up here without
# importing the modules that declare the other rules.
DECLARED: dict[str, Rule] = {}


def table(*rules: Rule) -> dict[str, Rule]:
    out: dict[str, Rule] = {}
    for rule in rules:
        assert rule.code not in DECLARED, f"{rule.code} declared twice"
        out[rule.code] = DECLARED[rule.code] = rule
    return out
