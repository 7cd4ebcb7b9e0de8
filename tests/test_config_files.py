"""Claude Code's JSON configuration files (issue 20): planted defects found at their places,
nothing on the clean twins. The fixtures are ours; the facts behind each expectation were
measured on Claude Code v2.1.332 (see configspec.py and the rules' `why`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from subagent_lsp.definitions.checks import check_document
from subagent_lsp.definitions.document import parse_document
from subagent_lsp.definitions.findings import Severity
from subagent_lsp.definitions.kinds import FileKind, classify
from subagent_lsp.definitions.rules.report import CheckOptions
from subagent_lsp.definitions.spec import Kind
from subagent_lsp.definitions.versions import parse_version
from subagent_lsp.definitions.workspace import check_paths, fix_text

FIXTURES = Path(__file__).parent / "config_fixtures"

# (file, 0-based line, 0-based column, code, severity) of every planted defect.
PLANTED = {
    (".mcp.json", 2, 4, "AGT230", "error"),
    (".mcp.json", 3, 19, "AGT231", "error"),
    (".mcp.json", 4, 20, "AGT232", "error"),
    (".mcp.json", 5, 4, "AGT233", "error"),
    (".claude/settings.json", 1, 2, "AGT203", "warning"),
    (".claude/settings.json", 2, 12, "AGT032", "warning"),
    (".claude/settings.json", 3, 33, "AGT214", "hint"),
    (".claude/settings.json", 3, 47, "AGT214", "warning"),
    (".claude/settings.json", 4, 2, "AGT205", "warning"),
    (".claude/settings.json", 6, 15, "AGT210", "warning"),
    (".claude/settings.json", 6, 32, "AGT211", "warning"),
    (".claude/settings.json", 6, 44, "AGT212", "warning"),
    (".claude/settings.json", 6, 64, "AGT210", "warning"),
    (".claude/settings.json", 7, 14, "AGT210", "warning"),
    (".claude/settings.json", 7, 24, "AGT210", "warning"),
    (".claude/settings.json", 8, 19, "AGT213", "error"),
    (".claude/settings.json", 11, 4, "AGT220", "warning"),
    (".claude/settings.json", 12, 14, "AGT221", "warning"),
    (".claude/settings.json", 12, 52, "AGT222", "warning"),
    (".claude/settings.json", 13, 79, "AGT223", "warning"),
    (".claude/settings.json", 14, 58, "AGT222", "error"),
    (".claude/settings.local.json", 1, 2, "AGT201", "error"),
    ("market/.claude-plugin/marketplace.json", 0, 0, "AGT206", "error"),
    ("market/.claude-plugin/marketplace.json", 0, 9, "AGT240", "error"),
    ("market/.claude-plugin/marketplace.json", 0, 34, "AGT206", "error"),
    ("market/.claude-plugin/marketplace.json", 0, 43, "AGT240", "error"),
    ("market/.claude-plugin/marketplace.json", 0, 85, "AGT242", "warning"),
    ("plugin/.claude-plugin/plugin.json", 0, 0, "AGT244", "warning"),
    ("plugin/.claude-plugin/plugin.json", 1, 10, "AGT240", "error"),
    ("plugin/.claude-plugin/plugin.json", 2, 13, "AGT243", "information"),
    ("plugin/.claude-plugin/plugin.json", 3, 13, "AGT241", "error"),
    ("plugin/.claude-plugin/plugin.json", 3, 35, "AGT242", "warning"),
    ("plugin/.claude-plugin/plugin.json", 4, 14, "AGT204", "warning"),  # ignored, still loads
    ("plugin/.claude-plugin/plugin.json", 5, 2, "AGT203", "warning"),
    ("plugin/hooks/hooks.json", 0, 67, "AGT222", "warning"),
    ("plugin/hooks/hooks.json", 0, 82, "AGT220", "warning"),
}


def _found(root: Path) -> set[tuple[str, int, int, str, str]]:
    return {
        (
            Path(r.path).relative_to(root).as_posix(),
            f.span.start.line,
            f.span.start.column,
            f.code,
            f.severity.label,
        )
        for r in check_paths([str(root)])
        for f in r.findings
    }


def test_planted_defects_are_found_at_their_places() -> None:
    found = {f for f in _found(FIXTURES / "broken") if f[0].endswith(".json")}
    assert found == PLANTED


def test_clean_twins_have_no_findings() -> None:
    results = check_paths([str(FIXTURES / "clean")])
    kinds = {r.kind.kind for r in results if r.kind is not None}
    assert {Kind.SETTINGS, Kind.MCP, Kind.PLUGIN_MANIFEST, Kind.MARKETPLACE} <= kinds
    assert Kind.PLUGIN_HOOKS in kinds
    assert [(r.path, f.code) for r in results for f in r.findings] == []


@pytest.mark.parametrize(
    ("rel", "kind"),
    [
        ("p/.claude/settings.json", Kind.SETTINGS),
        ("p/.claude/settings.local.json", Kind.SETTINGS),
        ("etc/claude-code/managed-settings.json", Kind.SETTINGS),
        ("etc/claude-code/managed-settings.d/10-team.json", Kind.SETTINGS),
        ("p/.mcp.json", Kind.MCP),
        ("p/.claude-plugin/plugin.json", Kind.PLUGIN_MANIFEST),
        ("p/.claude-plugin/marketplace.json", Kind.MARKETPLACE),
        ("p/hooks/hooks.json", Kind.PLUGIN_HOOKS),
    ],
)
def test_json_kinds_by_path(tmp_path: Path, rel: str, kind: Kind) -> None:
    found = classify(str(tmp_path / rel))
    assert found is not None and found.kind is kind


@pytest.mark.parametrize("rel", ["p/.vscode/settings.json", "p/package.json", "p/plugin.json"])
def test_other_json_files_are_not_ours(tmp_path: Path, rel: str) -> None:
    assert classify(str(tmp_path / rel)) is None


def _check(text: str, kind: Kind, path: str = "/p/.claude/settings.json", **opts: object) -> list:
    doc = parse_document(path, text)
    return check_document(doc, FileKind(kind), CheckOptions(**opts))  # type: ignore[arg-type]


def test_half_typed_json_gives_one_syntax_error_and_still_checks_what_is_typed() -> None:
    text = '{\n  "permissions": {"defaultMode": "yolo"},\n  "hooks": {"PreToolUs'
    findings = _check(text, Kind.SETTINGS)
    codes = [(f.code, f.span.start.line) for f in findings]
    assert ("AGT201", 2) in codes  # where the text stops
    assert ("AGT213", 1) in codes  # the typed part is still checked


@pytest.mark.parametrize(
    "text",
    ["", "   \n", "{}", "\ufeff{}", '{"model": "sonnet"}\r\n', '{"env": {"A": "😀"}}'],
)
def test_files_claude_code_accepts_as_they_are(text: str) -> None:
    assert _check(text, Kind.SETTINGS) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"model": 4}', "AGT204"),
        ('{"env": ["A=1"]}', "AGT204"),
        ('{"permissions": {"allow": "Bash"}}', "AGT204"),
        ('{"permissions": {"defaultMode": 3}}', "AGT213"),
        ("[1, 2]", "AGT204"),
        ('{"model": "a",}', "AGT201"),
        ("{'model': 'a'}", "AGT201"),
        ('{"model": "sonnet", "model": "opus"}', "AGT202"),
        ('{"permissions": {"allow": ["mcp__gh__get(x)"]}}', "AGT210"),
        ('{"permissions": {"allow": ["mcp__*"]}}', "AGT210"),
        ('{"permissions": {"ask": ["Bash(:*)"]}}', "AGT210"),
        ('{"permissions": {"ask": ["WebSearch(claude*)"]}}', "AGT210"),
        ('{"permissions": {"ask": [""]}}', "AGT210"),
        ('{"permissions": {"deny": ["Glob(./secrets/**)"]}}', "AGT212"),
        ('{"permissions": {"deny": ["Bash(command:rm *)"]}}', "AGT212"),
        ('{"permissions": {"deny": ["Read(file_path: ./.env)"]}}', "AGT212"),
        ('{"env": {"A": null}}', "AGT214"),
        ('{"hooks": []}', "AGT204"),
        ('{"hooks": {"Stop": [{"matcher": "x"}]}}', "AGT222"),
        ('{"hooks": {"Stop": [{"hooks": [{"command": "x"}]}]}}', "AGT222"),
        ('{"hooks": {"Stop": [{"hooks": [{"type": "mcp_tool", "server": "s"}]}]}}', "AGT222"),
        (
            '{"hooks": {"PreToolUse": [{"hooks": [{"type": "command", "command": "x", '
            '"if": "bash(x)"}]}]}}',
            "AGT210",
        ),
    ],
)
def test_each_defect_alone(text: str, code: str) -> None:
    assert code in {f.code for f in _check(text, Kind.SETTINGS)}


def test_accepted_shapes_stay_quiet() -> None:
    text = json.dumps(
        {
            "permissions": {
                "allow": ["Bash(ls))", "mcp__github__get_*", "Bash(git diff:*)", "Skill"],
                "deny": ["*", "mcp__*__x", "WebFetch", "Cd(~/code/**)", "Agent(model:opus)"],
                "ask": ["Bash(run_in_background:true)"],
                "defaultMode": "manual",
            },
            "hooks": {"SessionStart": [{"matcher": "startup", "hooks": []}]},
            "env": {"A": ""},
        }
    )
    assert _check(text, Kind.SETTINGS) == []


def test_versions_decide_new_events_and_modes() -> None:
    text = '{"permissions": {"defaultMode": "manual"}, "hooks": {"DirectoryAdded": []}}'
    old = _check(text, Kind.SETTINGS, claude_code_version=parse_version("2.1.150"))
    assert {f.code for f in old} == {"AGT213", "AGT220"}
    assert _check(text, Kind.SETTINGS) == []


def test_scope_of_the_settings_file_decides_scope_warnings() -> None:
    text = '{"allowManagedHooksOnly": true, "autoConnectIde": true}'
    project = _check(text, Kind.SETTINGS)
    assert [f.code for f in project] == ["AGT205", "AGT205"]
    managed = _check(text, Kind.SETTINGS, path="/etc/claude-code/managed-settings.json")
    assert [f.code for f in managed] == ["AGT205"]  # autoConnectIde lives in ~/.claude.json


def test_mcp_inline_in_a_plugin_manifest(tmp_path: Path) -> None:
    manifest = tmp_path / ".claude-plugin" / "plugin.json"
    manifest.parent.mkdir()
    text = '{"name": "kit", "mcpServers": {"docs": {"url": "https://x/mcp"}}}'
    found = _check(text, Kind.PLUGIN_MANIFEST, path=str(manifest))
    assert [f.code for f in found] == ["AGT230"]


def test_safe_fixes_repair_the_file(tmp_path: Path) -> None:
    text = '{"env": {"A": 1, "B": true}}'
    fixed, applied = fix_text("/p/.claude/settings.json", text, FileKind(Kind.SETTINGS))
    assert (fixed, applied) == ('{"env": {"A": "1", "B": "true"}}', 2)
    manifest = tmp_path / ".claude-plugin" / "plugin.json"
    manifest.parent.mkdir()
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "a.md").write_text("x", encoding="utf-8")
    plugin_text = '{"name": "kit", "agents": ["agents/a.md"]}'
    fixed, applied = fix_text(str(manifest), plugin_text, FileKind(Kind.PLUGIN_MANIFEST))
    assert fixed == '{"name": "kit", "agents": ["./agents/a.md"]}' and applied == 1


def test_quick_fixes_keep_the_json_valid() -> None:
    text = (
        '{"modle": "x", "permissions": {"defaultMode": "acceptEdit", "deny": ["WebFech", '
        '"Write(./x)"]}, "hooks": {"Stop": [{"hooks": [{"type": "shell", "command": "x"}]}]}}'
    )
    from subagent_lsp.definitions.fixes import apply_edits

    findings = _check(text, Kind.SETTINGS)
    fixed = [f for f in findings if f.fixes]
    assert {f.code for f in fixed} == {"AGT203", "AGT211", "AGT212", "AGT213", "AGT222"}
    for finding in fixed:
        repaired = apply_edits(text, list(finding.fixes[0].edits))
        json.loads(repaired)  # still JSON
        assert finding.code not in {f.code for f in _check(repaired, Kind.SETTINGS)}


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ('{"mcpServers": {"a": {"type": "websocket", "url": "ws://x"}}}', ["AGT232"]),
        ('{"mcpServers": {"a": {"type": "http"}}}', ["AGT231"]),
        ('{"mcpServers": {"a": "npx server"}}', ["AGT204"]),
        ('{"mcpServers": []}', ["AGT204"]),
        ("[]", ["AGT204"]),
        ('{"mcpServers": {"a": {"command": "x", "cmd": "y"}}}', ["AGT203"]),
        ('{"servers": {}}', ["AGT203"]),
    ],
)
def test_mcp_defects(text: str, codes: list[str]) -> None:
    assert [f.code for f in _check(text, Kind.MCP, path="/p/.mcp.json")] == codes


def test_mcp_type_guess_is_offered_as_a_fix() -> None:
    found = _check('{"mcpServers": {"a": {"type": "websocket", "url": "ws://x"}}}', Kind.MCP)
    assert found[0].fixes and found[0].fixes[0].edits[0].new_text == "ws"


def _plugin(tmp_path: Path, manifest: str, files: tuple[str, ...] = ()) -> list[str]:
    path = tmp_path / ".claude-plugin" / "plugin.json"
    path.parent.mkdir(exist_ok=True)
    for rel in files:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}", encoding="utf-8")
    return [f.code for f in _check(manifest, Kind.PLUGIN_MANIFEST, path=str(path))]


def test_plugin_paths(tmp_path: Path) -> None:
    assert _plugin(tmp_path, '{"name": "k", "skills": "."}') == []
    assert _plugin(tmp_path, '{"name": "k", "hooks": "${CLAUDE_PLUGIN_ROOT}/h.json"}') == ["AGT241"]
    assert _plugin(tmp_path, '{"name": "k", "hooks": "./${X}/h.json"}') == []
    assert _plugin(tmp_path, '{"name": "k", "agents": ["/abs/a.md", 3]}') == ["AGT241", "AGT204"]
    assert _plugin(tmp_path, '{"name": "k", "mcpServers": "./m.json"}', ("m.json",)) == []
    assert _plugin(tmp_path, '{"name": "k", "lspServers": 3}') == ["AGT204"]
    assert _plugin(tmp_path, '{"name": "k", "metadata": []}') == ["AGT204"]
    assert _plugin(tmp_path, '{"name": "k_1", "defaultEnabled": "yes"}') == ["AGT240", "AGT204"]
    assert _plugin(tmp_path, '{"name": 3}') == ["AGT204"]
    assert _plugin(tmp_path, "") == []


def test_plugin_manifest_agrees_with_what_claude_code_loads(tmp_path: Path) -> None:
    # Measured on v2.1.332 (fixtures plugins/oracle-*): a string author loads, a list of
    # servers and an agents folder do not (AGT054 says so on the plugin's agents too).
    assert _plugin(tmp_path, '{"name": "k", "author": "Jane Doe"}') == []
    assert _plugin(tmp_path, '{"name": "k", "author": {"name": "Jane"}}') == []
    assert _plugin(tmp_path, '{"name": "k", "author": 3}') == ["AGT204"]
    # a display field of the wrong type is ignored, the plugin still loads (oracle-homepage-
    # number); any other wrong type fails the manifest (oracle-deps-object)
    soft = _check('{"name": "k", "homepage": 3}', Kind.PLUGIN_MANIFEST)
    assert [(f.code, f.severity) for f in soft] == [("AGT204", Severity.WARNING)]
    hard = _check('{"name": "k", "dependencies": {}}', Kind.PLUGIN_MANIFEST)
    assert [(f.code, f.severity) for f in hard] == [("AGT204", Severity.ERROR)]
    listed = _check('{"name": "k", "mcpServers": [{"command": "x"}]}', Kind.PLUGIN_MANIFEST)
    assert [(f.code, f.severity) for f in listed] == [("AGT204", Severity.ERROR)]
    assert "fails to load" in listed[0].message
    assert _plugin(tmp_path, '{"name": "k", "agents": "./agents/"}', ("agents/a.md",)) == ["AGT241"]
    assert _plugin(tmp_path, '{"name": "k", "agents": ["./agents/a.md"]}', ("agents/a.md",)) == []


def test_plugin_inline_hooks_and_misplaced_files(tmp_path: Path) -> None:
    (tmp_path / ".claude-plugin").mkdir()
    (tmp_path / ".claude-plugin" / "hooks.json").write_text("{}", encoding="utf-8")
    text = '{"name": "k", "hooks": {"Stpo": []}}'
    assert _plugin(tmp_path, text) == ["AGT244", "AGT220"]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ('{"name": "claude-plugins-official", "owner": {"name": "x"}, "plugins": []}', ["AGT240"]),
        ('{"name": "m", "owner": {}, "plugins": []}', ["AGT206"]),
        ('{"name": "m", "owner": {"name": "x"}, "plugins": ["a"]}', ["AGT204"]),
        ('{"name": "m", "owner": {"name": "x"}, "plugins": {}}', ["AGT204"]),
        ('{"name": "m", "owner": {"name": "x"}}', ["AGT206"]),
        (
            '{"name": "m", "owner": {"name": "x"}, "plugins": [{"name": "p", "source": '
            '{"source": "github", "repo": "o/r"}}]}',
            [],
        ),
    ],
)
def test_marketplace_defects(tmp_path: Path, text: str, codes: list[str]) -> None:
    path = tmp_path / ".claude-plugin" / "marketplace.json"
    assert [f.code for f in _check(text, Kind.MARKETPLACE, path=str(path))] == codes


def test_plugin_hooks_file(tmp_path: Path) -> None:
    path = str(tmp_path / "hooks" / "hooks.json")
    assert [f.code for f in _check('{"hook": {}}', Kind.PLUGIN_HOOKS, path=path)] == ["AGT203"]
    assert [f.code for f in _check("[]", Kind.PLUGIN_HOOKS, path=path)] == ["AGT204"]


def test_hook_facts_agree_with_the_frontmatter_ones() -> None:
    from subagent_lsp.definitions import configspec, spec

    assert {e.name for e in configspec.HOOK_EVENTS} == set(spec.HOOK_EVENTS)
    assert [h.name for h in configspec.HANDLER_TYPES] == list(spec.HOOK_HANDLER_TYPES)


def test_wrong_types_are_rated_as_claude_code_treats_each_key() -> None:
    text = '{"effortLevel": 5, "hooks": [], "cleanupPeriodDays": "x", "teammateMode": 3}'
    found = {f.span.start.column: (f.code, f.severity.label) for f in _check(text, Kind.SETTINGS)}
    assert found == {
        28: ("AGT204", "warning"),  # hooks: the field is ignored (measured)
        53: ("AGT204", "error"),  # cleanupPeriodDays: the whole file is skipped
        74: ("AGT204", "warning"),  # teammateMode: ignored; effortLevel: accepted silently
    }


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ('{"tui": "full-screen"}', "error"),
        ('{"autoUpdatesChannel": "beta"}', "error"),
        ('{"teammateMode": "split"}', "warning"),
        ('{"effortLevel": "maximum"}', "hint"),
    ],
)
def test_enum_values_are_rated_as_claude_code_treats_each_key(text: str, severity: str) -> None:
    found = _check(text, Kind.SETTINGS)
    assert [(f.code, f.severity.label) for f in found] == [("AGT215", severity)]


@pytest.mark.parametrize(
    "text", ['{"tui": "fullscreen"}', '{"autoUpdatesChannel": "rc"}', '{"theme": "custom:ocean"}']
)
def test_enum_values_claude_code_takes(text: str) -> None:
    assert _check(text, Kind.SETTINGS) == []
