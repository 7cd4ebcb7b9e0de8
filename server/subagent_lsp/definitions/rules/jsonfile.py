"""What every JSON configuration file shares: syntax, duplicate keys, unknown keys, value types,
required keys, and the helpers the per-kind checks use (JSON-safe fixes, inner string spans)."""

from __future__ import annotations

from collections.abc import Iterable

from ...registry import Example, Rule, emits, table
from .. import fixes
from ..findings import Fix, Severity, Span
from ..suggest import closest_sure
from ..yamltree import YNode
from .report import E, Report, W

SETTINGS_PATH = ".claude/settings.json"

RULES = table(
    Rule(
        "AGT201",
        "json-syntax",
        E,
        "The file is not valid JSON.",
        "Claude Code reads all these files with a strict JSON parser, comments included "
        "(measured on v2.1.332): a settings file with a comment, a trailing comma or a missing "
        'quote is skipped ("Invalid or malformed JSON"), such a `.mcp.json` loads no server '
        '("MCP config is not a valid JSON"), and such a plugin.json or hooks/hooks.json breaks '
        "the whole plugin's load.",
        example=Example('{\n  // allow tests\n  "model": "sonnet"\n}\n', SETTINGS_PATH),
        fix="Remove comments and trailing commas; quote every key with double quotes.",
    ),
    Rule(
        "AGT202",
        "json-duplicate-key",
        W,
        "A key appears twice in one object; the last one wins.",
        "JSON.parse keeps the last value without a word, so the first one silently does nothing.",
        example=Example('{"model": "opus", "model": "sonnet"}\n', SETTINGS_PATH),
        fix="Keep one of the two.",
    ),
    Rule(
        "AGT203",
        "config-unknown-key",
        W,
        "A key Claude Code does not know in this file; it is ignored.",
        "Claude Code ignores keys it does not recognize (measured on v2.1.332 for settings; "
        "`claude plugin validate` warns for manifests), so a misspelled key does nothing.",
        example=Example('{"modle": "sonnet"}\n', SETTINGS_PATH),
        fix="Use the key Claude Code reads (quick fix when one is close).",
        applicability="unsafe",
    ),
    Rule(
        "AGT204",
        "config-wrong-type",
        E,
        "A value of the wrong JSON type.",
        "In settings a wrongly typed top-level value (a number for `model`, an array for `env`) "
        "makes Claude Code skip the whole file; in a plugin manifest the plugin fails to load "
        "(measured on v2.1.332). Some fields are only ignored: those are warnings.",
        example=Example('{"model": 4}\n', SETTINGS_PATH),
        fix="Write the value with the type the key takes.",
    ),
    Rule(
        "AGT205",
        "config-wrong-scope",
        W,
        "A settings key this file cannot set.",
        "Some keys are read only from managed settings, or only from user settings, or live in "
        "`~/.claude.json`; elsewhere Claude Code ignores them.",
        example=Example('{"allowManagedHooksOnly": true}\n', SETTINGS_PATH),
        fix="Move it to the file that can set it.",
    ),
    Rule(
        "AGT206",
        "config-missing-key",
        E,
        "A required key is missing.",
        "A plugin manifest without `name`, a marketplace without `owner`, a plugin entry "
        "without `source`: Claude Code refuses the file or the entry.",
        example=Example('{"version": "1.0.0"}\n', ".claude-plugin/plugin.json"),
        fix="Add the key.",
    ),
)


def inner(node: YNode) -> YNode:
    """A string node with its span inside the quotes: fixes written for YAML values (which
    replace the value's text) then keep the JSON valid."""
    if node.style != '"' or node.span.start.line != node.span.end.line:
        return node
    s = node.span
    shrunk = Span.of(s.start.line, s.start.column + 1, s.end.line, max(s.end.column - 1, 0))
    return YNode("scalar", shrunk, node.value, style=None)


def replace_string(node: YNode, new: str, title: str, safe: bool = False) -> Fix:
    """Replace a JSON string's content (quoted as JSON wants)."""
    import json  # only when a fix is built: `check` start-up does without it

    return fixes.replace(inner(node).span, json.dumps(new)[1:-1], title, safe=safe)


def json_type(node: YNode) -> str:
    if node.kind == "mapping":
        return "object"
    if node.kind == "sequence":
        return "array"
    v = node.value
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int | float):
        return "number"
    return "string"


def is_str(node: YNode | None) -> bool:
    return node is not None and node.is_scalar and isinstance(node.value, str)


def strings(node: YNode) -> list[YNode]:
    return [item for item in node.items if is_str(item)]


def is_syntax_clean(r: Report) -> bool:
    return not r.doc.problems


@emits("AGT201", "AGT202")
def check_syntax(r: Report) -> None:
    for problem in r.doc.problems:
        r.add("AGT201", problem.span, problem.message)
    for _, later in r.doc.duplicate_keys:
        r.add("AGT202", later.span, f"`{later.text}` is set twice here; this later value wins.")


@emits("AGT203")
def unknown_keys(
    r: Report, node: YNode, known: Iterable[str], where: str, severity: Severity | None = None
) -> None:
    """Each key of ``node`` that is not in ``known``, with the nearest known key as a fix."""
    names = list(known)
    index = set(names)
    for key, _ in node.pairs:
        if not is_str(key) or key.text in index:
            continue
        guess, _sure = closest_sure(key.text, names, 70)
        r.add(
            "AGT203",
            key.span,
            f"Unknown key `{key.text}` in {where}; Claude Code ignores it."
            + (f" Did you mean `{guess}`?" if guess else ""),
            replace_string(key, guess, f"Change to `{guess}`") if guess else None,
            severity=severity,
        )


@emits("AGT204")
def expect_type(
    r: Report,
    name: str,
    node: YNode,
    wanted: str,
    what: str,
    severity: Severity | None = None,
    then: str = "",
) -> bool:
    """``wanted``: JSON type names joined by ``|`` (``string|array``)."""
    if json_type(node) in wanted.split("|"):
        return True
    r.add(
        "AGT204",
        node.span,
        f"`{name}` must be {what}, not {_article(json_type(node))}"
        + (f": {then}" if then else "."),
        severity=severity,
    )
    return False


def _article(type_name: str) -> str:
    return (
        "null"
        if type_name == "null"
        else f"an {type_name}"
        if type_name[0] in "ao"
        else (f"a {type_name}")
    )


@emits("AGT206")
def require(r: Report, node: YNode, key: str, where: str, why: str = "") -> YNode | None:
    value = node.get(key)
    if value is None:
        at = node.span.start  # the object's opening brace
        brace = Span.of(at.line, at.column, at.line, at.column + 1)
        r.add("AGT206", brace, f"{where} has no `{key}`" + (f": {why}" if why else "."))
    return value


def root_object(r: Report, what: str) -> YNode | None:
    """The file's top-level object, or None (after saying so) when it is something else."""
    root = r.doc.root
    if root is None:
        return None
    if root.kind != "mapping":
        expect_type(r, what, root, "object", "a JSON object")
        return None
    return root
