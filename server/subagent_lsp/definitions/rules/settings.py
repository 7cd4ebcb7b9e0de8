"""Settings files (`.claude/settings.json`, `settings.local.json`, `~/.claude/settings.json`,
managed settings): keys, value types, scope, permissions, `model`, `env`, and hooks."""

from __future__ import annotations

import os

from ...registry import Example, Rule, emits, table
from .. import configspec as cs
from .. import fixes, spec
from ..findings import Severity
from ..settings_keys import SETTING_ENUMS, WRONG_TYPE
from ..spec import KeySpec, VType
from ..suggest import closest_sure
from ..yamltree import YNode
from .hooks import check_hooks
from .jsonfile import (
    SETTINGS_PATH,
    check_syntax,
    expect_type,
    inner,
    is_str,
    replace_string,
    root_object,
    unknown_keys,
)
from .models import check_model
from .permissions import check_rule_list
from .report import E, H, Report

RULES = table(
    Rule(
        "AGT213",
        "permission-mode-invalid",
        E,
        "`permissions.defaultMode` is not a permission mode.",
        "An unknown mode makes Claude Code skip the whole settings file (v2.1.332: "
        '"Invalid value. Expected one of …"), so none of its permissions, hooks or env apply.',
        example=Example('{"permissions": {"defaultMode": "acceptEdit"}}\n', SETTINGS_PATH),
        fix="Use default, acceptEdits, plan, auto, dontAsk or bypassPermissions (quick fix).",
        applicability="unsafe",
    ),
    Rule(
        "AGT214",
        "env-value-not-string",
        H,
        "An `env` value that is not a string.",
        "Claude Code turns each value into a string: a number or boolean works as written, "
        'but an object becomes "[object Object]" and null becomes "null", which is never what '
        "was meant (a warning).",
        example=Example('{"env": {"MAX_THINKING_TOKENS": 8000}}\n', SETTINGS_PATH),
        fix="Quote the value (quick fix).",
        applicability="safe",
    ),
    Rule(
        "AGT215",
        "setting-value-invalid",
        E,
        "A settings value that is not one the key takes.",
        "For `tui`, `defaultShell`, `autoUpdatesChannel`, `workflowSizeGuideline` and "
        '`parentSettingsBehavior` Claude Code logs "Invalid value. Expected one of …" and skips '
        "the whole file; for `teammateMode` and `crossSessionInbound` it ignores the value; "
        "others it accepts as written (a hint: not a documented value). Measured on v2.1.332.",
        example=Example('{"tui": "full-screen"}\n', SETTINGS_PATH),
        fix="Use one of the values (quick fix when one is close).",
        applicability="unsafe",
    ),
)

_SCOPE_FILES = {
    "managed": "managed settings",
    "user-managed": "user or managed settings",
    "user-local-managed": "user, local or managed settings",
    "global-config": "`~/.claude.json` (the global config)",
}
_SKIPPED = "Claude Code skips this whole settings file."
_SETTINGS_MODEL = KeySpec("model", VType.MODEL, "The model sessions start with.")
_JSON_TYPE = {"boolean": "boolean", "string": "string", "number": "number"}
_JSON_TYPE.update(array="array", object="object")


def settings_scope(path: str) -> str:
    """project, local, user or managed: which settings file this is."""
    base = os.path.basename(path)
    parent = os.path.basename(os.path.dirname(os.path.abspath(path)))
    if base == "managed-settings.json" or parent == "managed-settings.d":
        return "managed"
    if base == "settings.local.json":
        return "local"
    home = os.path.join(os.path.expanduser("~"), ".claude")
    return "user" if os.path.dirname(os.path.abspath(path)) == home else "project"


def _scope_allows(key_scope: str, file_scope: str) -> bool:
    if key_scope == "any":
        return True
    if key_scope == "global-config":
        return False
    allowed = {
        "managed": {"managed"},
        "user-managed": {"user", "managed"},
        "user-local-managed": {"user", "local", "managed"},
    }
    return file_scope in allowed.get(key_scope, {file_scope})


@emits("AGT203", "AGT204", "AGT205")
def check_settings(r: Report) -> None:
    check_syntax(r)
    root = root_object(r, "The settings file")
    if root is None:
        return
    index = cs.setting_index()
    scope = settings_scope(r.doc.path)
    top = [*cs.top_level_settings(), cs.SCHEMA_KEY]
    for key, value in root.pairs:
        name = key.text
        fact = index.get(name)
        if name == cs.SCHEMA_KEY:
            continue
        if fact is None:
            unknown_keys(r, _only(root, key), top, "settings")
            continue
        if not _scope_allows(fact.scope, scope):
            r.add(
                "AGT205",
                key.span,
                f"`{name}` is read only from {_SCOPE_FILES[fact.scope]}; in {scope} settings "
                "Claude Code ignores it.",
            )
        _check_value(r, name, fact.vtype, value)


def _only(root: YNode, key: YNode) -> YNode:
    """A one-pair view of ``root``, for the shared unknown-key check."""
    view = YNode("mapping", root.span)
    view.pairs = [(key, root.get(key.text) or key)]
    return view


@emits("AGT204")
def _check_value(r: Report, name: str, vtype: str, value: YNode) -> None:
    wanted = _JSON_TYPE.get(vtype)
    if name == "hooks":
        check_hooks(r, value)  # a wrong type there only drops the field (measured)
        return
    verdict = WRONG_TYPE.get(name, "skip")
    if wanted and verdict != "accept":
        ignored = verdict == "ignore"
        then = "Claude Code ignores this field." if ignored else _SKIPPED
        severity = Severity.WARNING if ignored else None
        if not expect_type(r, name, value, wanted, f"a JSON {wanted}", severity, then):
            return
    if name == "permissions":
        check_permissions(r, value)
    elif name == "model" and is_str(value):
        check_model(r, _SETTINGS_MODEL, inner(value))
    elif name == "env":
        check_env(r, value)
    elif name in SETTING_ENUMS and is_str(value):
        check_enum(r, name, value)


@emits("AGT215")
def check_enum(r: Report, name: str, value: YNode) -> None:
    values, verdict = SETTING_ENUMS[name]
    text = value.text
    if text in values or any(
        v.endswith("<slug>") and text.startswith(v[: -len("<slug>")]) for v in values
    ):
        return
    choices = [v for v in values if "<" not in v]
    guess, _ = closest_sure(text, choices, 70)
    then = {
        "skip": "Claude Code skips this whole settings file.",
        "ignore": "Claude Code ignores the value.",
    }.get(verdict, "Claude Code takes it as written, but it is not a documented value.")
    r.add(
        "AGT215",
        value.span,
        f"`{text}` is not a value of `{name}` ("
        + ", ".join(f"`{v}`" for v in values)
        + f"): {then}"
        + (f" Did you mean `{guess}`?" if guess else ""),
        replace_string(value, guess, f"Change to `{guess}`") if guess else None,
        severity={"ignore": Severity.WARNING, "accept": Severity.HINT}.get(verdict),
    )


@emits("AGT203", "AGT204", "AGT213")
def check_permissions(r: Report, node: YNode) -> None:
    unknown_keys(r, node, cs.PERMISSION_KEYS, "`permissions`")
    for listed_in in cs.PERMISSION_LISTS:
        rules = node.get(listed_in)
        if rules is not None and expect_type(
            r, f"permissions.{listed_in}", rules, "array", "an array of rule strings", then=_SKIPPED
        ):
            check_rule_list(r, rules, listed_in)
    mode = node.get("defaultMode")
    if mode is None:
        return
    names = [m.value for m in cs.PERMISSION_MODES if r.opts.on(m.since)]
    if is_str(mode) and mode.text in names:
        return
    import json  # a wrong mode only: `check` start-up does without it

    shown = json.dumps(mode.to_python())
    guess, _ = closest_sure(mode.text, names, 70) if is_str(mode) else (None, False)
    r.add(
        "AGT213",
        mode.span,
        f"`{shown}` is not a permission mode: Claude Code skips this whole settings file. "
        "Use one of "
        + ", ".join(f"`{n}`" for n in names)
        + "."
        + (f" Did you mean `{guess}`?" if guess else ""),
        replace_string(mode, guess, f"Change to `{guess}`") if guess else None,
    )


@emits("AGT214")
def check_env(r: Report, node: YNode) -> None:
    import json  # settings files only: `check` start-up does without it

    for key, value in node.pairs:
        if is_str(value):
            continue
        if value.is_scalar and value.value is not None:
            written = r.doc.text_of(value.span)  # numbers and true/false, as JavaScript prints
            r.add(
                "AGT214",
                value.span,
                f"`{key.text}` is {written}, not a string; Claude Code turns it into "
                f'"{written}". Quote it to say so.',
                fixes.replace(value.span, json.dumps(written), "Quote the value", safe=True),
            )
            continue
        r.add(
            "AGT214",
            value.span,
            f"`{key.text}` must be a string: Claude Code turns this value into "
            + {"mapping": '"[object Object]"', "sequence": "its items joined by commas"}.get(
                value.kind, '"null"'
            )
            + ".",
            severity=Severity.WARNING,
        )


def model_names() -> list[str]:
    return [a.name for a in spec.MODEL_ALIASES]
