"""Memory files (CLAUDE.md, CLAUDE.local.md, .claude/rules/*.md): their `@path` imports."""

from __future__ import annotations

import os

from ...registry import Example, Rule, emits, table
from .. import fixes
from ..findings import Position, Span
from ..imports import (
    Import,
    imports_in,
    inside,
    project_root,
    too_deep,
    user_scope,
)
from ..spec import MAX_IMPORT_HOPS
from .report import INFO, Report, W

_TRAILING = ".,;:!?)]}'\""

RULES = table(
    Rule(
        "AGT110",
        "import-not-found",
        W,
        "An `@path` import names no file.",
        "Claude Code skips an import it cannot read, silently: the instructions it was meant to "
        "pull in never reach the model. Paths resolve against the importing file's folder.",
        example=Example(
            text="# Project\n\nSee @docs/setup.md for the build.\n",
            path="CLAUDE.md",
            files={"docs/build.md": "# Build\n"},
        ),
        fix="Correct the path, or wrap a path you only mention in backticks.",
    ),
    Rule(
        "AGT111",
        "import-too-deep",
        W,
        "An import chain goes deeper than four hops.",
        "Imported files may import others, at most four hops from the memory file Claude Code "
        "starts from; a file further down is not loaded.",
        example=Example(
            text="@a.md\n",
            path="CLAUDE.md",
            files={
                "a.md": "@b.md\n",
                "b.md": "@c.md\n",
                "c.md": "@d.md\n",
                "d.md": "@e.md\n",
                "e.md": "The fifth hop.\n",
            },
        ),
        fix="Import the deep file from a file nearer the top.",
    ),
    Rule(
        "AGT112",
        "import-outside-project",
        INFO,
        "The import reaches outside the project.",
        "The first time Claude Code meets imports outside the working directory in a project's "
        "memory file it asks for approval; declined, they stay off for good. A user-scope file "
        "(`~/.claude/CLAUDE.md`, `~/.claude/rules/`) is trusted and not asked about. A "
        "non-interactive run (`claude -p`) never asks and does not load it (measured on "
        "v2.1.332).",
        example=Example(
            text="@../shared/style.md\n",
            path="app/CLAUDE.md",
            files={"app/.git/HEAD": "ref: refs/heads/main\n", "shared/style.md": "# Style\n"},
        ),
        fix="Keep shared instructions inside the project, or accept the approval prompt.",
    ),
)


def check_memory(r: Report) -> None:
    doc = r.doc
    own = imports_in(doc.path, doc.lines, doc.body_start_line)
    if not own:
        return
    _missing(r, own)
    _deep(r, own)
    _external(r, own)


@emits("AGT110")
def _missing(r: Report, own: list[Import]) -> None:
    for imp in own:
        if os.path.exists(imp.target):
            continue
        stripped = imp.written.rstrip(_TRAILING)
        base = os.path.dirname(imp.target)
        cut = len(imp.written) - len(stripped)
        if stripped and cut and os.path.isfile(os.path.join(base, os.path.basename(stripped))):
            end = imp.span.end
            mark = Position(end.line, end.column - cut)
            r.add(
                "AGT110",
                imp.span,
                f"Claude Code reads the import up to the next space, so it looks for "
                f"`{imp.written}` (with the `{imp.written[len(stripped) :]}`), which does not "
                f"exist; `{stripped}` does. Put a space before the punctuation.",
                fixes.replace(
                    Span(mark, mark), " ", "Put a space before the punctuation", safe=False
                ),
            )
            continue
        root = project_root(r.doc.path)
        from_root = os.path.normpath(os.path.join(root, imp.written))
        if not imp.written.startswith(("/", "~")) and os.path.isfile(from_root):
            better = os.path.relpath(from_root, os.path.dirname(os.path.abspath(r.doc.path)))
            path_span = Span(Position(imp.span.start.line, imp.span.start.column + 1), imp.span.end)
            r.add(
                "AGT110",
                imp.span,
                f"`@{imp.written}` resolves against this file's folder, not the project root: "
                f"Claude Code looks for `{os.path.relpath(imp.target, root)}`, which does not "
                "exist. The file "
                f"is `@{better}` from here.",
                fixes.replace(path_span, better, f"Import `{better}`", safe=False),
            )
            continue
        looks_like_file = imp.written.startswith(("./", "~/", "/", "../")) or (
            "." in os.path.basename(imp.written).strip(".")
        )
        r.add(
            "AGT110",
            imp.span,
            f"`@{imp.written}` imports `{_shown(r, imp.target)}`, which does not exist: "
            "Claude Code skips it. Wrap a path you only mention in backticks.",
            severity=None if looks_like_file else INFO,
        )


@emits("AGT111")
def _deep(r: Report, own: list[Import]) -> None:
    reported: set[Import] = set()
    for dropped in too_deep(r.doc.path, own):
        if dropped.via in reported:
            continue
        reported.add(dropped.via)
        chain = " → ".join(f"`{_shown(r, p)}`" for p in dropped.chain)
        r.add(
            "AGT111",
            dropped.via.span,
            f"This import leads {len(dropped.chain)} hops deep ({chain}); Claude Code follows "
            f"imports at most {MAX_IMPORT_HOPS} hops, so `{_shown(r, dropped.chain[-1])}` is "
            "not loaded.",
        )


@emits("AGT112")
def _external(r: Report, own: list[Import]) -> None:
    if user_scope(r.doc.path):
        return
    root = project_root(r.doc.path)
    for imp in own:
        if inside(imp.target, root) or not os.path.exists(imp.target):
            continue
        r.add(
            "AGT112",
            imp.span,
            f"`{_shown(r, imp.target)}` is outside the project ({root}): the first time, Claude "
            "Code asks for approval before loading imports from outside it (if declined, never "
            "again); `claude -p` does not load it at all.",
        )


def _shown(r: Report, target: str) -> str:
    base = os.path.dirname(os.path.abspath(r.doc.path))
    rel = os.path.relpath(target, base)
    home = os.path.expanduser("~")
    if rel.startswith("..") and inside(target, home) and not inside(base, home):
        return "~" + target[len(home) :]
    return rel
