"""A plugin's `.claude-plugin/plugin.json`, a marketplace's `.claude-plugin/marketplace.json`,
and a plugin's `hooks/hooks.json`. Facts from the plugins reference, checked against
`claude plugin validate` of v2.1.332 (which says what fails to load and what only warns)."""

from __future__ import annotations

import os

from ...registry import Example, Rule, emits, table
from .. import configspec as cs
from .. import fixes
from ..findings import Severity, Span
from ..yamltree import YNode
from .hooks import check_hooks
from .jsonfile import (
    check_syntax,
    expect_type,
    inner,
    is_str,
    replace_string,
    require,
    root_object,
    unknown_keys,
)
from .mcp import check_servers
from .report import INFO, E, Report, W

MANIFEST_PATH = ".claude-plugin/plugin.json"
MARKET_PATH = ".claude-plugin/marketplace.json"

RULES = table(
    Rule(
        "AGT240",
        "plugin-name-form",
        W,
        "A plugin or marketplace name that is not kebab-case.",
        "`claude plugin validate` (v2.1.332) rejects a name with spaces (measured: the plugin does "
        "not load at all, an error; its agents get AGT054) and warns about any other "
        "non-kebab-case name, which Claude Code accepts but the claude.ai marketplace sync "
        "refuses.",
        example=Example('{"name": "Review_Kit"}\n', MANIFEST_PATH),
        fix="Use lowercase letters, digits and hyphens: `review-kit` (quick fix).",
        applicability="unsafe",
    ),
    Rule(
        "AGT241",
        "plugin-path-not-relative",
        E,
        "A component path that does not start with `./` (or an `agents` entry that is a folder).",
        "Claude Code requires every manifest path to be relative to the plugin root and start "
        'with `./` (`claude plugin validate`: "must start with ./"), and an `agents` entry to '
        "name a `.md` file; otherwise the plugin fails to load (measured on v2.1.332; its "
        "agents get AGT054).",
        example=Example(
            '{"name": "review-kit", "agents": ["agents/reviewer.md"]}\n',
            MANIFEST_PATH,
            files={"agents/reviewer.md": "---\nname: reviewer\ndescription: Reviews.\n---\n"},
        ),
        fix="Prefix it with `./` (quick fix).",
        applicability="safe",
    ),
    Rule(
        "AGT242",
        "plugin-path-missing",
        W,
        "A path the manifest lists does not exist.",
        '`claude plugin validate` reports "Path not found … The runtime loader will report this '
        'as a load failure", but the rest of the plugin still loads (measured on v2.1.332: a '
        "manifest naming a missing `./skills/` or `./commands/` folder, or an agent file that is "
        "not there, loads its other agents as written).",
        example=Example('{"name": "review-kit", "commands": "./cmds/"}\n', MANIFEST_PATH),
        fix="Fix the path, or create the file.",
    ),
    Rule(
        "AGT243",
        "plugin-version-not-semver",
        INFO,
        "A `version` that is not a semantic version.",
        "The docs ask for semver (`1.2.0`); Claude Code compares versions to decide updates. "
        "`claude plugin validate` accepts other strings, so this is a note.",
        example=Example('{"name": "review-kit", "version": "v1.2"}\n', MANIFEST_PATH),
        fix="Write MAJOR.MINOR.PATCH, as in `1.2.0`.",
    ),
    Rule(
        "AGT244",
        "plugin-component-misplaced",
        W,
        "A component folder or file inside `.claude-plugin/`.",
        "Only `plugin.json` (and `marketplace.json`) belong in `.claude-plugin/`; agents, "
        'commands, skills and hooks there are not loaded (plugins reference, "Directory '
        'structure mistakes").',
        example=Example(
            '{"name": "review-kit"}\n',
            MANIFEST_PATH,
            files={
                ".claude-plugin/agents/reviewer.md": "---\nname: reviewer\n"
                "description: Reviews.\n---\n"
            },
        ),
        fix="Move the folder to the plugin root.",
    ),
)

_MARKET_ENTRY_KEYS = (
    "name",
    "source",
    "displayName",
    "description",
    "version",
    "author",
    "homepage",
    "repository",
    "license",
    "keywords",
    "category",
    "tags",
    "strict",
    "defaultEnabled",
    "commands",
    "agents",
    "skills",
    "hooks",
    "mcpServers",
    "lspServers",
    "outputStyles",
    "workflows",
    "dependencies",
    "channels",
    "userConfig",
    "metadata",
    "experimental",
)


def _plugin_root(r: Report) -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(r.doc.path)))


@emits("AGT203", "AGT204", "AGT243", "AGT244")
def check_plugin_manifest(r: Report) -> None:
    check_syntax(r)
    misplaced(r)
    root = root_object(r, "plugin.json")
    if root is None:
        return
    index = cs.manifest_index(cs.PLUGIN_KEYS)
    unknown_keys(r, root, index, "plugin.json")
    name = require(r, root, "name", "The manifest", "Claude Code cannot load the plugin.")
    if name is not None and expect_type(r, "name", name, "string", "a string"):
        check_name(r, name, "plugin")
    for key, value in root.pairs:
        fact = index.get(key.text)
        if fact is None or key.text == "name":
            continue
        if fact.vtype == "path":
            if expect_type(r, key.text, value, "string|array", "a path or a list of paths"):
                _paths(r, value, key.text == "skills", key.text == "agents")
        elif fact.vtype == "config":
            # A list for `mcpServers` fails the manifest's validation: the plugin does not
            # load (measured on v2.1.332: fixture plugins/oracle-mcp-list; AGT054 on its agents).
            wanted = "string|object" if key.text == "mcpServers" else "string|array|object"
            shown = "a path or an object of servers" if key.text == "mcpServers" else None
            if expect_type(
                r,
                key.text,
                value,
                wanted,
                shown or "paths or an object",
                then="the plugin fails to load." if shown else "",
            ):
                _config(r, key.text, value)
        elif fact.vtype in ("string", "boolean", "array", "object", "object|string"):
            shown = " or ".join(f"a JSON {t}" for t in fact.vtype.split("|"))
            if key.text in cs.PLUGIN_DISPLAY_KEYS:
                expect_type(
                    r,
                    key.text,
                    value,
                    fact.vtype,
                    shown,
                    Severity.WARNING,
                    "Claude Code ignores it and the plugin still loads.",
                )
                continue
            severity = Severity.WARNING if key.text in ("metadata", "experimental") else None
            expect_type(r, key.text, value, fact.vtype, shown, severity)
    version = root.get("version")
    if version is not None and is_str(version) and not cs.SEMVER.match(version.text):
        r.add(
            "AGT243",
            version.span,
            f"`{version.text}` is not a semantic version (MAJOR.MINOR.PATCH, as in `1.2.0`).",
        )


@emits("AGT240")
def check_name(r: Report, node: YNode, what: str) -> None:
    text = node.text
    if cs.KEBAB.match(text):
        return
    suggestion = "-".join(
        p for p in "".join(c if c.isalnum() else "-" for c in text).split("-") if p
    )
    suggestion = suggestion.lower()
    spaced = " " in text
    r.add(
        "AGT240",
        node.span,
        f"The {what} name `{text}` "
        + (
            "contains spaces: Claude Code rejects the manifest and the plugin does not load."
            if spaced
            else "is not kebab-case: Claude Code accepts it, the claude.ai marketplace sync "
            "does not."
        )
        + (f" Use `{suggestion}`." if suggestion else ""),
        replace_string(node, suggestion, f"Change to `{suggestion}`") if suggestion else None,
        severity=Severity.ERROR if spaced else None,
    )


@emits("AGT241", "AGT242")
def _paths(r: Report, value: YNode, dot_ok: bool, files_only: bool = False) -> None:
    items = [value] if value.is_scalar else value.items
    root = _plugin_root(r)
    for item in items:
        if not is_str(item):
            expect_type(r, "a component path", item, "string", "a string")
            continue
        path = item.text
        if not (path.startswith("./") or (dot_ok and path == ".")):
            fixable = not path.startswith(("/", ".")) and "\\" not in path
            start = inner(item).span.start
            r.add(
                "AGT241",
                item.span,
                f"`{path}` must be relative to the plugin root and start with `./`: the "
                "plugin fails to load.",
                fixes.replace(Span.point(start.line, start.column), "./", "Prefix with ./")
                if fixable
                else None,
            )
            continue
        if files_only and not path.endswith(".md"):
            # Measured on v2.1.332 (fixture plugins/oracle-agents-dir): `"agents": "./agents/"`
            # fails the manifest's validation, as AGT054 says on the plugin's agents.
            r.add(
                "AGT241",
                item.span,
                f"`{path}` must name an agent's .md file (`agents` takes files, not folders): "
                "the plugin fails to load. Leave `agents` out to load `agents/` by default.",
            )
            continue
        if "${" in path:
            continue
        target = os.path.normpath(os.path.join(root, path))
        if not os.path.exists(target):
            r.add(
                "AGT242",
                item.span,
                f"`{path}` does not exist in the plugin: Claude Code logs a load failure for it "
                "and loads the rest of the plugin without it.",
            )


def _config(r: Report, key: str, value: YNode) -> None:
    if value.kind == "mapping":
        if key == "hooks":
            inline = value.get("hooks")
            check_hooks(r, inline if inline is not None else value)
        elif key == "mcpServers":
            servers = value.get("mcpServers")
            check_servers(r, servers if servers is not None else value)
        return
    _paths(r, value, False)


@emits("AGT244")
def misplaced(r: Report) -> None:
    folder = os.path.dirname(os.path.abspath(r.doc.path))
    if os.path.basename(folder) != cs.PLUGIN_DIR or not os.path.isdir(folder):
        return
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return
    for entry in entries:
        if entry in cs.PLUGIN_COMPONENT_DIRS or entry in cs.PLUGIN_COMPONENT_FILES:
            r.add(
                "AGT244",
                r.doc.line_span(0),
                f"`.claude-plugin/{entry}` is inside .claude-plugin/: Claude Code loads "
                f"components only from the plugin root. Move it to `./{entry}`.",
            )


@emits("AGT203", "AGT206")
def check_marketplace(r: Report) -> None:
    check_syntax(r)
    root = root_object(r, "marketplace.json")
    if root is None:
        return
    index = cs.manifest_index(cs.MARKETPLACE_KEYS)
    unknown_keys(r, root, index, "marketplace.json")
    name = require(r, root, "name", "The marketplace", "Claude Code refuses it.")
    if name is not None and expect_type(r, "name", name, "string", "a string"):
        check_name(r, name, "marketplace")
        if name.text in cs.MARKETPLACE_RESERVED:
            r.add(
                "AGT240",
                name.span,
                f"`{name.text}` is reserved for official Anthropic marketplaces: Claude Code "
                "refuses to load it.",
                severity=Severity.ERROR,
            )
    owner = require(r, root, "owner", "The marketplace", "Claude Code refuses it.")
    if owner is not None and expect_type(r, "owner", owner, "object", "an object"):
        require(r, owner, "name", "`owner`", "Claude Code refuses the marketplace.")
    plugins = require(r, root, "plugins", "The marketplace", "Claude Code refuses it.")
    if plugins is None or not expect_type(r, "plugins", plugins, "array", "an array"):
        return
    base = os.path.dirname(os.path.dirname(os.path.abspath(r.doc.path)))
    for entry in plugins.items:
        if not expect_type(r, "a plugin entry", entry, "object", "an object"):
            continue
        unknown_keys(r, entry, _MARKET_ENTRY_KEYS, "a plugin entry", Severity.INFORMATION)
        entry_name = require(r, entry, "name", "This plugin entry", "it cannot be installed.")
        if entry_name is not None and is_str(entry_name):
            check_name(r, entry_name, "plugin")
        source = require(r, entry, "source", "This plugin entry", "it cannot be installed.")
        local = source is not None and is_str(source) and source.text.startswith("./")
        if (
            local
            and source is not None
            and not os.path.exists(os.path.normpath(os.path.join(base, source.text)))
        ):
            r.add(
                "AGT242",
                source.span,
                f"`{source.text}` does not exist next to the marketplace: the plugin "
                "cannot be installed.",
            )


@emits("AGT203")
def check_plugin_hooks(r: Report) -> None:
    check_syntax(r)
    root = root_object(r, "hooks.json")
    if root is None:
        return
    unknown_keys(r, root, (*cs.PLUGIN_HOOKS_KEYS, cs.SCHEMA_KEY), "a plugin's hooks.json")
    events = root.get("hooks")
    if events is not None:
        check_hooks(r, events)
