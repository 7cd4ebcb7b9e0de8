"""The settings model and what is made from it: the generated files are current, reading a
configuration agrees with the model on every kind of value, defaults are no settings, and a bad
value is one message and the default."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from subagent_lsp import settings_gen
from subagent_lsp.cli import main
from subagent_lsp.config import KNOWN_KEYS, Problem, Settings, parse_settings
from subagent_lsp.definitions.findings import Severity
from subagent_lsp.definitions.rules import RULES
from subagent_lsp.definitions.spec import DEFAULT_GLOBS, Kind
from subagent_lsp.definitions.versions import parse_version
from subagent_lsp.settings_model import GlobTable, SettingsModel
from subagent_lsp.settings_read import READERS, SPECS_BY_KEY, read_values
from subagent_lsp.settings_table import SPECS

REPO = Path(__file__).resolve().parent.parent
SERVER_KEYS = [s.key for s in SPECS if not s.client]

# Values of every shape: accepted ones, wrong types, out of bounds, bad entries among good ones.
SAMPLES: dict[str, list[object]] = {
    "text": ["", "agents/x.md", 1, True, ["a"], {}],
    "flag": [True, False, "yes", "false", 0, 1],
    "patterns": ["x/*.md", ["a/**", "b"], [], "", [1], ["a", 2], 5, {"a": "b"}],
    "prefixes": ["AGT0", " agt01 ", ["AGT02", "BKD"], [], "", ["AGT9"], ["AGT0", "x"], [1], 3],
    "version": ["", "2.1.100", "v2.1", " 2.1.5 ", "latest", "2.1.", 2.1, ["2.1"]],
    "date": ["", "2026-01-02", dt.date(2026, 1, 2), "tomorrow", "2026-13-01", 20260102],
    "severities": [
        {},
        {"AGT013": "off", "agt020": "ERROR", "AGT014": False, "AGT016": True, "AGT002": "info"},
        {"AGT003": " Hint ", "AGT004": "none", "AGT005": "ignore", "BKD101": "warning"},
        {"AGT999": "error"},
        {"AGT020": "loud", "AGT013": "off"},
        {"AGT020": 1},
        [1],
        "AGT020",
    ],
    "globs": [
        {},
        {"skill": "s/*/SKILL.md", "subagent": ["a/*.md"], "catalog-note": []},
        {"widget": ["x"]},
        {"skill": [1]},
        {"command": 3, "skill": ["s/*.md"]},
        "x",
        [],
    ],
    "path-prefixes": [
        {},
        {"docs/**": ["AGT015"], "x/**": "AGT0"},
        {"docs/**": ["AGT9"]},
        {"d": [1], "e": ["AGT015"]},
        {"d": 1},
        ["AGT015"],
        "x",
    ],
}
NUMBERS: list[object] = ["low", "high", "below", "above", "fraction", True, "30", [1]]


def _samples(key: str) -> list[object]:
    spec = SPECS_BY_KEY[key]
    if spec.shape not in ("number", "integer"):
        return SAMPLES[spec.shape]
    low, high = spec.minimum, spec.maximum
    assert low is not None and high is not None
    named = {
        "low": low,
        "high": high,
        "below": low - 1,
        "above": high + 1,
        "fraction": (low + high) // 2 + 0.5,
    }
    return [named.get(v, v) if isinstance(v, str) else v for v in NUMBERS]


def _where(loc: tuple[int | str, ...]) -> tuple[str, ...]:
    """A pydantic error's location as Problem.keys has it: the setting, then the entry of a
    table; list indices and union members left out."""
    keys: list[str] = []
    for part in loc[:2]:
        if not isinstance(part, str):
            break
        keys.append(part)
    return tuple(keys)


def _model_verdict(key: str, value: object) -> tuple[set[tuple[str, ...]], Any]:
    try:
        model = SettingsModel.model_validate({key: value})
    except ValidationError as err:
        return {_where(e["loc"]) for e in err.errors()}, None
    return set(), model.model_dump(by_alias=True)[key]


def _expected(shape: str, valid: Any) -> object:
    """What the reader should make of a value the model accepted (as the model normalised it);
    None: the setting keeps its default."""
    if shape in ("text", "flag", "integer"):
        return valid
    if shape == "number":
        return float(valid)
    if shape == "patterns":
        return tuple(valid)
    if shape == "prefixes":
        return valid or None
    if shape == "version":
        return parse_version(valid) if valid else None
    if shape == "date":
        return dt.date.fromisoformat(valid) if valid else None
    if shape == "severities":
        return {
            code: None if v in ("off", False) else Severity[v.upper()]
            for code, v in valid.items()
            if v is not True
        }
    if shape == "globs":
        return {**DEFAULT_GLOBS, **{Kind(k): tuple(v) for k, v in valid.items()}}
    assert shape == "path-prefixes"
    return {
        pattern: frozenset(r for r in RULES if any(r.startswith(c) for c in codes))
        for pattern, codes in valid.items()
        if codes
    }


@pytest.mark.parametrize("key", SERVER_KEYS)
def test_reading_agrees_with_the_model(key: str) -> None:
    shape = SPECS_BY_KEY[key].shape
    accepted = rejected = 0
    for value in _samples(key):
        problems: list[str] = []
        read = read_values({key: value}, "s", problems)
        wrong, valid = _model_verdict(key, value)
        where = {p.keys for p in problems if isinstance(p, Problem)}
        assert where == wrong, f"{key} = {value!r}: {problems} but the model says {wrong}"
        if not wrong:
            accepted += 1
            assert read.get(key) == _expected(shape, valid), f"{key} = {value!r}"
        else:
            rejected += 1
            assert all(p.startswith(f"s.{key}") for p in problems), problems
    assert accepted and rejected  # the samples test both sides


def test_the_table_and_the_model_declare_the_same_settings() -> None:
    fields = settings_gen.fields()
    assert [f.key for f in fields] == [s.key for s in SPECS] == list(KNOWN_KEYS)
    assert set(GlobTable.__annotations__) == {k.value for k in Kind}
    for f in fields:
        assert f.info.description, f.key
        assert f.shape in READERS or f.use.client, f.key
        if f.shape in ("number", "integer"):
            assert "minimum" in f.schema and "maximum" in f.schema, f.key
    # Settings' own defaults are the model's.
    model, settings = SettingsModel(), Settings()
    assert settings.offline == model.offline and settings.agent_timeout == model.agent_timeout
    assert settings.agent_retries == model.agent_retries
    assert settings.context_tokens == model.context_tokens
    assert settings.excludes == tuple(model.exclude)
    assert settings.agent_file is None and settings.model is None and model.agent_file == ""


def test_generated_files_are_current() -> None:
    assert settings_gen.stale() == [], "stale generated settings files: run `make settings`"


def test_make_settings_rewrites_only_what_is_stale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, _ in settings_gen.outputs():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, tmp_path / name)
    assert settings_gen.main(["--check", "--root", str(tmp_path)]) == 0
    readme = tmp_path / "README.md"
    readme.write_text(readme.read_text().replace("| `offline` |", "| `offlne` |"))
    (tmp_path / settings_gen.TS_KEYS).unlink()
    assert settings_gen.main(["--check", "--root", str(tmp_path)]) == 1
    assert "README.md is stale" in capsys.readouterr().err
    assert settings_gen.main(["--root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [f"wrote {settings_gen.TS_KEYS}", "wrote README.md"]
    assert settings_gen.stale(tmp_path) == []
    readme.write_text("no markers\n")
    with pytest.raises(ValueError, match="markers are missing"):
        settings_gen.stale(tmp_path)


def test_vscode_gets_every_setting_and_the_old_names() -> None:
    props = json.loads((REPO / settings_gen.PACKAGE_JSON).read_text())["contributes"][
        "configuration"
    ]["properties"]
    for f in settings_gen.fields():
        name = f"subagentLsp.{f.key}"
        assert (name in props) == f.use.editor, name
        assert (f"agentLsp.{f.key}" in props) == (f.use.editor and f.use.renamed), name
    assert props["subagentLsp.agentRetries"]["minimum"] == 0
    assert props["subagentLsp.serverPath"]["scope"] == "machine-overridable"
    assert set(props["subagentLsp.globs"]["properties"]) == {k.value for k in Kind}
    assert "default" not in props["agentLsp.select"]


# What a user has right after installing: every setting at its default.


def _defaults(vscode: bool) -> dict[str, object]:
    """The defaults as VS Code sends them (package.json's, flat keys) or as a configuration
    file would say them (the model's server settings)."""
    if vscode:
        props = json.loads((REPO / settings_gen.PACKAGE_JSON).read_text())["contributes"][
            "configuration"
        ]["properties"]
        return {
            k.removeprefix("subagentLsp."): p["default"]
            for k, p in props.items()
            if k.startswith("subagentLsp.")
        }
    dumped = SettingsModel().model_dump(by_alias=True)
    return {k: v for k, v in dumped.items() if k in SERVER_KEYS}


def _summary(s: Settings) -> tuple[object, ...]:
    paths = [f"/r/{p}" for p in ("a/.claude/agents/x.md", ".claude/skills/s/SKILL.md", "x.md")]
    return (
        s.options,
        [s.globs.match(p) for p in paths],
        s.excludes,
        s.agent_file,
        s.model,
        s.offline,
        s.agent_timeout,
        s.agent_retries,
        s.context_tokens,
        s.secret_patterns,
        s.agent_exclude,
        s.not_sources,
    )


@pytest.mark.parametrize("vscode", [True, False], ids=["vscode", "model"])
def test_defaults_are_the_same_as_no_settings(vscode: bool) -> None:
    settings = parse_settings(_defaults(vscode))
    assert settings.problems == []
    assert _summary(settings) == _summary(parse_settings(None)) == _summary(Settings())


def _toml(value: object) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f'"{k}" = {_toml(v)}' for k, v in value.items()) + " }"
    return json.dumps(value)  # "", [], false and numbers read the same in TOML


BROKEN_FILES = {
    ".claude/agents/Bad_Name.md": (
        "---\nname: db-tuner\ndescription: Use it: now\ntools: Read, MultiEdit, Task\n"
        "model: sonet\ncolour: red\n---\nYou tune databases.\n"
    ),
    ".claude/agents/empty.md": "---\nname: empty\ndescription: x\n---\n",
    ".claude/skills/s/SKILL.md": "---\nname: Other Name\n---\nDo things.\n",
    ".claude/commands/c.md": "---\nallowed-tools: Bash(git:*), Nope\nmodel: gpt-4\n---\nRun.\n",
}


def test_defaults_in_a_file_give_the_verdicts_of_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, text in BROKEN_FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    main(["check", "--isolated", "--format", "json", "."])
    bare = capsys.readouterr()
    config = tmp_path / ".subagent-lsp.toml"
    config.write_text("".join(f"{k} = {_toml(v)}\n" for k, v in _defaults(False).items()))
    main(["check", "--format", "json", "."])
    configured = capsys.readouterr()
    assert configured.err == "" and configured.out == bare.out
    assert len({f["code"] for f in json.loads(bare.out)}) >= 5  # many rules had their say


# A bad value: one message naming the setting, and its default.

WRONG_TYPE = {
    "text": 3,
    "flag": "yes",
    "number": "30",
    "integer": 2.5,
    "patterns": {"a": 1},
    "prefixes": 7,
    "version": 2.1,
    "date": "tomorrow",
    "severities": ["AGT013"],
    "globs": ["**/*.md"],
    "path-prefixes": "AGT015",
}


@pytest.mark.parametrize("key", SERVER_KEYS)
def test_a_bad_value_is_one_message_and_the_default(key: str) -> None:
    other = "agentFile" if key == "model" else "model"  # a good setting beside it stands
    settings = parse_settings({key: WRONG_TYPE[SPECS_BY_KEY[key].shape], other: "x.md"})
    assert getattr(settings, "agent_file" if other == "agentFile" else "model") == "x.md"
    settings.agent_file = settings.model = None
    assert len(settings.problems) == 1 and f"subagentLsp.{key}" in settings.problems[0]
    assert isinstance(settings.problems[0], Problem) and settings.problems[0].keys == (key,)
    assert _summary(settings) == _summary(Settings())


GOOD = {
    "claudeCodeVersion": "2.1.100",
    "today": "2026-01-02",
    "gatewayModels": ["my-gateway-*"],
    "severity": {"AGT013": "off"},
    "rules": {"AGT020": "error"},
    "select": ["AGT0"],
    "ignore": ["AGT015"],
    "globs": {"skill": ["x/*.md"]},
    "exclude": ["vendor/**"],
    "perPathIgnores": {"docs/**": ["AGT015"]},
    "agentFile": "agents/be.md",
    "model": "opus",
    "offline": True,
    "agentTimeout": 30,
    "agentRetries": 4,
    "contextTokens": 12000,
    "secretPatterns": [r"acme_[0-9a-f]{16}"],
    "agentExclude": ["fixtures/**"],
    "notSources": ["scripts/"],
}


def test_every_server_setting_has_an_effect() -> None:
    assert sorted(GOOD) == sorted(SERVER_KEYS)  # a new setting needs a value here
    default = _summary(Settings())
    for key, value in GOOD.items():
        settings = parse_settings({key: value})
        assert settings.problems == [], key
        assert _summary(settings) != default, f"{key} changes nothing"


def test_client_keys_are_accepted_and_not_read() -> None:
    raw = {"serverPath": 1, "interpreter": "x", "trace": {"server": "verbose"}, "trace.server": 2}
    settings = parse_settings(raw)
    assert settings.problems == [] and _summary(settings) == _summary(Settings())
    assert parse_settings({"trace.sever": "off"}).problems == [
        "subagentLsp: unknown setting 'trace.sever' (did you mean trace.server?); ignored."
    ]
    # null is no value, as VS Code sends an unset key
    assert parse_settings(dict.fromkeys(SERVER_KEYS)).problems == []


def test_check_with_a_configuration_imports_no_pydantic(tmp_path: Path) -> None:
    (tmp_path / ".claude" / "agents").mkdir(parents=True)
    (tmp_path / ".claude" / "agents" / "a.md").write_text(BROKEN_FILES[".claude/agents/empty.md"])
    config = "".join(f"{k} = {_toml(v)}\n" for k, v in GOOD.items())
    (tmp_path / ".subagent-lsp.toml").write_text(config + 'colour = "red"\n')
    code = (
        "import sys\nfrom subagent_lsp.cli import main\n"
        f"main(['check', {str(tmp_path)!r}])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic'))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert proc.stdout.splitlines()[-1] == "[]", proc.stderr
