"""Argument placeholders of skills and commands: `$name` against `arguments`, `$ARGUMENTS`,
`argument-hint`."""

from __future__ import annotations

import re

from ...lazyre import LazyPattern
from ...registry import Example, Rule, emits, table
from .. import fixes
from ..document import Document
from ..findings import Fix, Position, Span
from ..spec import Kind
from .instructions import prose_lines
from .report import H, Report, W
from .samples import COMMAND_PATH, skill

RULES = table(
    Rule(
        "AGT103",
        "argument-undeclared",
        W,
        "A `$name` placeholder is not declared in `arguments`.",
        "Only names declared in `arguments` are substituted; any other `$name` reaches the model "
        "as literal text (measured on v2.1.332).",
        example=Example(
            text=skill("arguments: [issue]\n", "Fix issue $issue on branch $branch.\n").replace(
                "[issue]", "[issue]\nargument-hint: '[issue]'"
            ),
            path=COMMAND_PATH,
        ),
        fix="Declare the name in `arguments` (in its position), or use `$ARGUMENTS[N]`.",
        applicability="unsafe",
    ),
    Rule(
        "AGT104",
        "arguments-unused",
        H,
        "`arguments` names values the body never uses.",
        "Declared names only matter as `$name` placeholders; a body that uses `$ARGUMENTS` or "
        "`$0` instead was probably meant to use the names.",
        example=Example(
            text=skill("arguments: [issue]\n", "Fix issue $ARGUMENTS.\n"), path=COMMAND_PATH
        ),
        fix="Write `$issue` where the value goes, or drop `arguments`.",
    ),
    Rule(
        "AGT105",
        "argument-hint-count",
        H,
        "`argument-hint` and `arguments` disagree in count.",
        "The hint shows users what to type; names map to positions in order, so a hint with "
        "another count asks for values the placeholders do not take (or leaves one out).",
        example=Example(
            text=skill("arguments: [issue]\nargument-hint: '[issue] [branch]'\n", "Fix $issue.\n"),
            path=COMMAND_PATH,
        ),
        fix="Make the hint list one `[name]` per declared argument.",
    ),
    Rule(
        "AGT109",
        "argument-name-with-dollar",
        W,
        "An `arguments` name is written with its `$`.",
        "`arguments: $QUERY` declares the name `$QUERY`; the body's `$QUERY` then stays literal "
        "text and only `$$QUERY` would expand (measured on v2.1.332).",
        example=Example(
            text=skill("arguments: $QUERY\n", 'Search for "$QUERY".\n'), path=COMMAND_PATH
        ),
        fix="Write the bare name: `arguments: QUERY`.",
        applicability="unsafe",
    ),
)

# `$name`: names may hold `-` and are case-sensitive; `${name}` is not substituted (measured on
# v2.1.332: with `arguments: [issue-number, PR]`, `$issue-number` and `$PR` expand, `${PR}` and
# `$Issue-number` stay as written).
_PLACEHOLDER = LazyPattern(
    r"(?<![\\$\w])\$(?:\{(?P<braced>[A-Za-z_][\w-]*)\}|(?P<name>[A-Za-z_]\w*(?:-\w+)*))(?![\[(\w])"
)
_NUMBERED = LazyPattern(r"(?<![\\\w])\$(?:ARGUMENTS\b|\d)")
_HINT_GROUP = LazyPattern(r"\[[^\]]*\]|<[^>]*>")
_CODE_SPAN = LazyPattern(r"(`+)(?!`).*?(?<!`)\1(?!`)")


def declared_arguments(doc: Document) -> list[str] | None:
    node = doc.get("arguments")
    if node is None:
        return None
    if node.kind == "sequence":
        return [i.text for i in node.items if i.is_scalar and i.text]
    if node.is_scalar and isinstance(node.value, str):
        return node.value.replace(",", " ").split()
    return None


@emits("AGT103", "AGT104", "AGT105", "AGT109")
def check_arguments(r: Report) -> None:
    if r.fk.kind not in (Kind.SKILL, Kind.COMMAND):
        return
    doc = r.doc
    names = declared_arguments(doc)
    hint = doc.get("argument-hint")
    hint_groups = (
        _HINT_GROUP.findall(hint.text) if hint is not None and hint.is_scalar and hint.text else []
    )
    if names is None and not hint_groups:
        return  # nothing says the file takes named values: `$x` may be anything
    declared = set(names or [])
    used: set[str] = set()
    numbered = False
    for line_no, text in prose_lines(doc):
        for m in _PLACEHOLDER.finditer(text):  # `!` lines and code are substituted too
            token = m.group("name")
            if token is not None and _declared_prefix(token, declared) in declared:
                used.add(_declared_prefix(token, declared))
        prose = _CODE_SPAN.sub(lambda c: " " * len(c.group(0)), text)
        numbered = numbered or bool(_NUMBERED.search(prose))
        for m in _PLACEHOLDER.finditer(prose):
            span = Span.of(line_no, m.start(), line_no, m.end())
            braced = m.group("braced")
            if braced is not None:
                if braced in declared:
                    r.add(
                        "AGT103",
                        span,
                        f"`${{{braced}}}` is not substituted (only `${braced}` is), so it reaches "
                        "the model as written.",
                        fixes.replace(span, f"${braced}", f"Write `${braced}`", safe=False),
                    )
                continue
            name = _declared_prefix(m.group("name"), declared)
            if name in declared:
                used.add(name)
                continue
            if name == "ARGUMENTS" or name.isupper():
                continue  # `$ARGUMENTS`, or an environment variable such as `$HOME`
            guess = _nearest(name, declared)
            r.add(
                "AGT103",
                span,
                f"`${name}` is not declared in `arguments`, so it reaches the model as the "
                "literal text `$"
                + name
                + "`"
                + (f": did you mean `${guess}`?" if guess else ".")
                + (" Declare it in `arguments`." if not guess else ""),
                fixes.replace(span, f"${guess}", f"Change to `${guess}`", safe=False)
                if guess
                else _declare_fix(r, name),
            )
    dollar = [n for n in names or [] if n.startswith("$")]
    node = doc.get("arguments")
    if dollar and node is not None:
        r.add(
            "AGT109",
            node.span,
            "`arguments` takes bare names: "
            + ", ".join(f"`{n}`" for n in dollar)
            + f" declares the name `{dollar[0]}`, so the body's `{dollar[0]}` stays literal "
            f"(only `${dollar[0]}` would expand). Write `{dollar[0][1:]}`.",
            _strip_dollar_fix(r, dollar),
        )
        names = [n for n in names or [] if not n.startswith("$")]
    if names:
        unused = [n for n in names if n not in used]
        node = doc.get("arguments")
        if unused and node is not None and len(unused) == len(names):
            instead = " The body uses `$ARGUMENTS`/`$N` instead." if numbered else ""
            r.add(
                "AGT104",
                node.span,
                "`arguments` declares "
                + ", ".join(f"`{n}`" for n in names)
                + f", but the body never writes `${names[0]}`: the names substitute nothing."
                + instead,
            )
    if names is not None and hint_groups and hint is not None and len(hint_groups) != len(names):
        r.add(
            "AGT105",
            hint.span,
            f"`argument-hint` shows {len(hint_groups)} value(s) but `arguments` declares "
            f"{len(names)}: names map to positions in order, so the hint and the names "
            "disagree.",
        )


def _strip_dollar_fix(r: Report, dollar: list[str]) -> Fix | None:
    node = r.doc.get("arguments")
    if node is None or node.span.start.line != node.span.end.line:
        return None
    line = node.span.start.line
    text = r.doc.lines[line][node.span.start.column : node.span.end.column]
    fixed = re.sub(r"(?<![\w$])\$(?=[A-Za-z_])", "", text)
    if fixed == text:
        return None
    return fixes.replace(node.span, fixed, "Write the names without `$`", safe=False)


def _declare_fix(r: Report, name: str) -> Fix | None:
    node = r.doc.get("arguments")
    title = f"Declare `{name}` in `arguments`"
    if node is None:
        fm = r.doc.frontmatter
        if fm is None or fm.close_span is None:
            return None
        line = fm.close_span.start.line
        return fixes.insert_line(r.doc, line, f"arguments: [{name}]", title)
    end = node.span.end
    if node.span.start.line != end.line:
        return None
    if node.kind == "sequence" and r.doc.lines[end.line][end.column - 1 : end.column] == "]":
        at = Position(end.line, end.column - 1)
        sep = ", " if node.items else ""
        return fixes.replace(Span(at, at), f"{sep}{name}", title, safe=False)
    if node.is_scalar and node.style in (None, "plain"):
        return fixes.replace(Span(end, end), f" {name}", title, safe=False)
    return None


def _declared_prefix(token: str, declared: set[str]) -> str:
    """The declared name a `$token` starts with (`$issue-x` with `issue` declared), else the
    whole token."""
    if token in declared:
        return token
    for name in sorted(declared, key=len, reverse=True):
        if token.startswith(name + "-"):
            return name
    return token


def _nearest(name: str, declared: set[str]) -> str | None:
    if not declared:
        return None
    from ..suggest import closest

    return closest(name, sorted(declared), cutoff=70)
