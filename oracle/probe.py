"""Run Claude Code once on one file and record what it did (an Observation, plain JSON).

Each run gets a fresh temporary folder: a throwaway ``home/`` (HOME, so no user agents, settings
or credentials of the machine are read) and a ``project/`` (the working directory) holding the
file under test where Claude Code looks for it:

* subagent:      project/.claude/agents/<path inside the agents folder>
* command:       project/.claude/commands/<path inside the commands folder>
* skill:         project/.claude/skills/<folder name>/SKILL.md
* plugin agent:  plugins/<plugin folder>/ with the plugin's own ``.claude-plugin/plugin.json``
                 (verbatim) and the file at its place in the plugin, loaded with
                 ``--plugin-dir`` (the CLI's documented way to load a plugin for one session;
                 agents the manifest lists but that are not copied only log "not found")

One file per run: attribution is exact (anything the listing has beyond the built-in entries is
that file's), and a run takes about half a second.

The CLI is ``claude -p hi --output-format json --debug-file F --no-session-persistence
--strict-mcp-config`` with ANTHROPIC_BASE_URL at the stand-in. The stand-in answers the first
request with an ``Agent`` tool_use for the agent under test, so Claude Code also sends that
agent's own request (model, tools) or refuses to spawn it (the refusal is the tool_result).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import prompt
from .standin import PROBE_TOOL_USE_ID, StandIn, is_subagent_request, request_text

RUN_TIMEOUT = 120  # seconds; a run normally takes under two
# ``!`command` `` lines of a skill or command run when it is invoked: never for files under test.
SETTINGS = {"disableSkillShellExecution": True}


@dataclass(frozen=True)
class Case:
    key: str  # the file's key in the truth file
    section: str  # "fixtures" or "corpus"
    path: Path  # the file under test
    kind: str  # "subagent", "plugin-agent", "skill" or "command"
    rel: str  # subagent/command: path inside the folder; skill: folder name; plugin: path in plugin
    plugin_root: Path | None = None

    @property
    def manifest(self) -> Path | None:
        if self.plugin_root is None:
            return None
        return self.plugin_root / ".claude-plugin" / "plugin.json"


def environment(home: Path, tmp: Path, base_url: str) -> dict[str, str]:
    """A minimal environment: nothing of the caller's (no keys, proxies, CLAUDE_* settings)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "USER": "oracle",
        "LANG": "C.UTF-8",
        "TERM": "dumb",
        "TMPDIR": str(tmp),
        "ANTHROPIC_API_KEY": "dummy",
        "ANTHROPIC_BASE_URL": base_url,
        "NO_PROXY": "127.0.0.1,localhost",
        "DISABLE_AUTOUPDATER": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_TELEMETRY": "1",
        "DISABLE_ERROR_REPORTING": "1",
        "DISABLE_BUG_COMMAND": "1",
        "CLAUDE_CODE_ENABLE_TELEMETRY": "0",
    }


def place(case: Case, root: Path) -> tuple[Path, list[str]]:
    """Copy the file under test into ``root``; (its new path, extra CLI arguments)."""
    project = root / "project"
    if case.kind == "subagent":
        dest = project / ".claude" / "agents" / case.rel
    elif case.kind == "command":
        dest = project / ".claude" / "commands" / case.rel
    elif case.kind == "skill":
        dest = project / ".claude" / "skills" / case.rel / "SKILL.md"
    elif case.kind == "plugin-agent":
        assert case.plugin_root is not None and case.manifest is not None
        plugin = root / "plugins" / case.plugin_root.name
        (plugin / ".claude-plugin").mkdir(parents=True)
        shutil.copyfile(case.manifest, plugin / ".claude-plugin" / "plugin.json")
        dest = plugin / case.rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(case.path, dest)
        return dest, ["--plugin-dir", str(plugin)]
    else:
        raise ValueError(case.kind)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(case.path, dest)
    return dest, []


_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z ")
_RELEVANT = re.compile(
    r"frontmatter|yaml|parse|invalid|skipp|malformed|duplicate|unknown|not found|zero tools|"
    r"unrecognized",
    re.I,
)
_NOISE = re.compile(
    r"settings\.json|managed-settings|CA cert|Config file|\.claude\.json|hooks module|"
    r"LSP|mTLS|Fast mode|\[Stall\]|\[Bootstrap\]|autoupdate|ENOENT: no such file or directory|"
    r"specified in manifest but not found|Plugin loading errors",
    re.I,
)


def debug_lines(text: str, root: Path, placed: Path) -> list[str]:
    """The debug log's warnings and errors about the file under test (or about parsing), and
    every line naming the file, with paths and numbers made stable."""
    out: list[str] = []
    for raw in text.splitlines():
        line = _TIMESTAMP.sub("", raw).strip()
        if not line or _NOISE.search(line):
            continue
        mentions = str(placed) in line
        serious = line.startswith(("[WARN]", "[ERROR]")) and _RELEVANT.search(line)
        if not mentions and not serious:
            continue
        line = line.replace(str(root), "<tmp>")
        line = re.sub(r"\b\d+(\.\d+)?ms\b", "<n>ms", line)
        line = re.sub(r"\bagentId=\w+", "agentId=<id>", line)
        if line not in out:
            out.append(line[:400])
    return out


def _tool_result_text(body: dict[str, Any]) -> str | None:
    for message in body.get("messages") or []:
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for block in content:
            if (
                isinstance(block, dict)
                and block.get("type") == "tool_result"
                and block.get("tool_use_id") == PROBE_TOOL_USE_ID
            ):
                inner = block.get("content")
                if isinstance(inner, str):
                    return inner
                if isinstance(inner, list):
                    return "\n".join(b.get("text", "") for b in inner if isinstance(b, dict))
    return None


@dataclass
class Baseline:
    agent_lines: set[str]
    skill_lines: set[str]


def run(
    case: Case | None,
    binary: Path,
    model_known: Callable[[str], bool],
    baseline: Baseline | None,
    keep_debug: Path | None = None,
    say: str = "hi",
    extra_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run the CLI on one case (None: the baseline run, no file) and return the observation."""
    root = Path(tempfile.mkdtemp(prefix="oracle-"))
    try:
        home = root / "home"
        tmp = root / "tmp"
        project = root / "project"
        for folder in (home, tmp, project):
            folder.mkdir()
        args: list[str] = []
        placed = root / "none"
        if case is not None:
            placed, args = place(case, root)

        def choose(body: dict[str, Any]) -> str | None:
            if baseline is None or case is None or case.kind in ("skill", "command"):
                return None
            new = prompt.new_entries(prompt.agent_section(request_text(body)), baseline.agent_lines)
            entry = prompt.parse_agent_entry(new) if new else None
            return entry.name if entry else None

        standin = StandIn(model_known=model_known, probe=choose).start()
        debug_file = root / "debug.txt"
        cmd = [
            str(binary),
            "-p",
            say,
            "--output-format",
            "json",
            "--debug-file",
            str(debug_file),
            "--no-session-persistence",
            "--strict-mcp-config",
            "--settings",
            json.dumps(SETTINGS),
            *args,
        ]
        started = time.monotonic()
        timed_out = False
        try:
            proc = subprocess.run(
                cmd,
                cwd=project,
                env={**environment(home, tmp, standin.url), **(extra_env or {})},
                capture_output=True,
                text=True,
                timeout=RUN_TIMEOUT,
                stdin=subprocess.DEVNULL,
                check=False,
            )
            rc, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as err:
            timed_out = True
            rc = None
            stdout = err.stdout.decode() if isinstance(err.stdout, bytes) else (err.stdout or "")
            stderr = err.stderr.decode() if isinstance(err.stderr, bytes) else (err.stderr or "")
        finally:
            standin.stop()
        seconds = round(time.monotonic() - started, 2)
        debug = debug_file.read_text(errors="replace") if debug_file.exists() else ""
        if keep_debug is not None:
            keep_debug.parent.mkdir(parents=True, exist_ok=True)
            keep_debug.write_text(debug.replace(str(root), "<tmp>"))
        obs = observe(
            case, standin, root, placed, rc, timed_out, stdout, stderr, debug, baseline, seconds
        )
        if say.startswith("/"):
            obs["invocation"] = invocation(standin, root, placed, say)
        return obs
    finally:
        shutil.rmtree(root, ignore_errors=True)


_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
_TMP = re.compile(r"/tmp/oracle-[A-Za-z0-9_]*")


def stable_text(text: str, limit: int = 300) -> str:
    """An expanded skill or command as typed into the transcript: up to Claude Code's own
    context that follows it, with session ids and temporary paths made stable."""
    for end in ("\n\n# Environment", "\n\nThe following deferred tools"):
        text = text.split(end, 1)[0]
    text = _TMP.sub("<tmp>", _UUID.sub("<session-id>", text))
    return text[:limit]


def invocation(standin: StandIn, root: Path, placed: Path, say: str) -> dict[str, Any]:
    """Whether ``/name`` ran the file under test (its text reached a request)."""
    name = say[1:].split()[0]
    texts = [request_text(r["body"]) for r in standin.requests]
    joined = "\n".join(texts)
    ours = (
        f"Base directory for this skill: {placed.parent}" in joined
        or f"<command-name>/{name}</command-name>" in joined
    )
    missing = "no command with that name is available" in joined
    text = ""
    for chunk in texts:
        at = chunk.find(f"<command-name>/{name}</command-name>")
        if at < 0:
            at = chunk.find("Base directory for this skill:")
        if at >= 0:
            text = stable_text(chunk[at:].replace(str(root), "<tmp>"))
            break
    return {"said": say, "invoked": ours and not missing, "unknown": missing, "text": text}


def observe(
    case: Case | None,
    standin: StandIn,
    root: Path,
    placed: Path,
    rc: int | None,
    timed_out: bool,
    stdout: str,
    stderr: str,
    debug: str,
    baseline: Baseline | None,
    seconds: float,
) -> dict[str, Any]:
    main = [r for r in standin.requests if not is_subagent_request(r["body"])]
    subs = [r for r in standin.requests if is_subagent_request(r["body"])]
    first = main[0]["body"] if main else {}
    text = request_text(first)
    agents = prompt.agent_section(text)
    skills = prompt.skill_section(text)
    obs: dict[str, Any] = {
        "rc": rc,
        "timed_out": timed_out,
        "seconds": seconds,
        "requests": len(standin.requests),
        "other_requests": list(standin.other),
        "main_model": first.get("model"),
        # Every tool the release offers the main session (headless), its own and through
        # ToolSearch: the baseline's list shows a new release's new or removed tools.
        "main_tools": sorted(
            {t.get("name") for t in first.get("tools") or [] if isinstance(t, dict)}
            | set(prompt.deferred_tools(text))
        ),
        "agent_section": agents,
        "skill_section": skills,
        "stderr": stderr.strip()[-2000:].replace(str(root), "<tmp>"),
    }
    try:
        result = json.loads(stdout) if stdout.strip() else {}
    except ValueError:
        result = {"unparsed": stdout[-2000:]}
    obs["result"] = {
        k: result.get(k)
        for k in ("is_error", "subtype", "num_turns", "result", "api_error_status")
        if isinstance(result, dict)
    }
    stats = result.get("subagent_stats") if isinstance(result, dict) else None
    obs["subagent_stats"] = stats
    if baseline is None:
        return obs
    obs["agent_entry"] = prompt.new_entries(agents, baseline.agent_lines)
    obs["skill_entry"] = prompt.new_entries(skills, baseline.skill_lines)
    obs["probed"] = standin.probed
    if subs:
        body = subs[0]["body"]
        obs["subagent"] = {
            "model": body.get("model"),
            "tools": [t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)],
            "deferred_tools": prompt.deferred_tools(request_text(body)),
            "status": subs[0].get("status"),
            "requests": len(subs),
        }
    else:
        obs["subagent"] = None
    results = [_tool_result_text(r["body"]) for r in main]
    probe_result = next((r for r in results if r is not None), None)
    if probe_result is not None:
        obs["probe_result"] = probe_result.replace(str(root), "<tmp>")[:4000]
    obs["debug"] = debug_lines(debug, root, placed)
    return obs
