"""``python -m oracle``: install the pinned Claude Code, run it on every file, write the truth.

    python -m oracle                 everything (fixtures and ../shared/corpus)
    python -m oracle --only NAME     only the files whose key holds NAME (the rest kept as is)
    python -m oracle --no-cache      run again even where a cached observation exists
    python -m oracle --install-only  install and check the binary, nothing else

The runs happen in a network namespace of their own (``unshare -n``, loopback only) when the
machine allows it, so nothing can leave the machine whatever the CLI tries; without one, the
environment alone keeps it local (see probe.environment).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import typing
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from . import CLAUDE_CODE_VERSION, HARNESS_REVISION, facts, prompt
from .cases import find
from .frontmatter import read
from .install import ensure_installed, platform_key
from .probe import Baseline, Case, run
from .verdict import judge_agent, judge_skill

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".cache" / "oracle"
FIXTURES = REPO / "tests" / "oracle_fixtures"
CORPUS = REPO.parent / "shared" / "corpus"
TRUTH = REPO / "tests" / "golden" / "claude_code_truth.json"

# Tool names probed one by one (an agent with ``tools: <name>``): what each resolves to in the
# release. The current and older names of ../shared/claude-code-facts.md, so a new release's
# renames and removals show up in the truth file's "release" section.
TOOL_NAMES = (
    "Agent", "Artifact", "AskUserQuestion", "Bash", "CronCreate", "CronDelete", "CronList", "Edit",
    "EndConversation", "EnterPlanMode", "ExitPlanMode", "EnterWorktree", "ExitWorktree", "Glob",
    "Grep", "ListAgents", "ListMcpResourcesTool", "LSP", "Monitor", "NotebookEdit", "PowerShell",
    "PushNotification", "Read", "ReadMcpResourceTool", "RemoteTrigger", "ReportFindings",
    "ScheduleWakeup", "SendMessage", "SendUserFile", "ShareOnboardingGuide", "Skill",
    "TaskCreate", "TaskGet", "TaskList", "TaskOutput", "TaskStop", "TaskUpdate", "TodoWrite",
    "ToolSearch", "WaitForMcpServers", "WebFetch", "WebSearch", "Workflow", "Write",
    "TeamCreate", "TeamDelete",
    # older names
    "LS", "MultiEdit", "NotebookRead", "TodoRead", "Task", "SlashCommand", "BashOutput",
    "KillShell", "KillBash",
)  # fmt: skip
OLDER_TOOL_NAMES = TOOL_NAMES[TOOL_NAMES.index("LS") :]
MODEL_ALIASES = (
    "sonnet",
    "opus",
    "haiku",
    "fable",
    "mythos",
    "opusplan",
    "best",
    "sonnet[1m]",
    "opus[1m]",
    "inherit",
    "default",
)


def known_models() -> set[str]:
    """The model ids the stand-in accepts, as the real API would: the ids the installed
    ``anthropic`` SDK lists in its ``ModelParam`` type (anything else gets a 404)."""
    from anthropic.types import model_param

    args = typing.get_args(model_param.ModelParam)
    literal = next((a for a in args if typing.get_origin(a) is typing.Literal), None)
    return set(typing.get_args(literal)) if literal is not None else set()


def model_accepts(known: set[str]) -> typing.Callable[[str], bool]:
    def accepts(model: str) -> bool:
        # The API also takes the 1M-context variant and dated ids of the listed models.
        base = model.removesuffix("[1m]")
        return base in known or any(base.startswith(k + "-20") for k in known)

    return accepts


def case_hash(case: Case, version: str) -> str:
    h = hashlib.sha256()
    for part in (HARNESS_REVISION, version, case.kind, case.rel):
        h.update(part.encode() + b"\0")
    if case.manifest is not None:
        h.update(case.manifest.read_bytes() + b"\0")
    h.update(case.path.read_bytes())
    return h.hexdigest()[:24]


def in_netns() -> bool:
    return os.environ.get("ORACLE_NETNS") == "1"


def reexec_in_netns(argv: list[str]) -> None:
    """Run this same command again inside a new network namespace with only loopback up."""
    unshare = shutil.which("unshare")
    if unshare is None:
        print("oracle: unshare not found: runs are kept local by their environment only")
        return
    flags = ["-n"] if os.geteuid() == 0 else ["-r", "-n"]
    probe = subprocess.run([unshare, *flags, "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        print(
            "oracle: cannot make a network namespace here: runs are kept local by their "
            "environment only"
        )
        return
    script = 'ip link set lo up 2>/dev/null || ifconfig lo up 2>/dev/null; exec "$@"'
    env = dict(os.environ, ORACLE_NETNS="1")
    cmd = [unshare, *flags, "sh", "-c", script, "sh", sys.executable, "-m", "oracle", *argv]
    sys.stdout.flush()
    os.execve(unshare, cmd, env)


class Runner:
    def __init__(self, binary: Path, version: str, use_cache: bool) -> None:
        self.binary = binary
        self.version = version
        self.use_cache = use_cache
        self.accepts = model_accepts(known_models())
        self.dir = CACHE / "runs" / version
        self.dir.mkdir(parents=True, exist_ok=True)
        self.baseline: Baseline | None = None
        self.ran = 0
        self.cached = 0

    def baseline_run(self) -> dict[str, Any]:
        path = self.dir / f"baseline-{HARNESS_REVISION}.json"
        obs: dict[str, Any] = json.loads(path.read_text()) if path.is_file() else {}
        if not (self.use_cache and "main_tools" in obs):  # a baseline older than main_tools
            obs = run(None, self.binary, self.accepts, None)
            if obs.get("agent_section") is None:
                raise SystemExit(
                    "oracle: the baseline run sent no agent list; stderr:\n" + obs["stderr"]
                )
            path.write_text(json.dumps(obs, indent=1))
        self.baseline = Baseline(
            prompt.builtin_lines(obs.get("agent_section")),
            prompt.builtin_lines(obs.get("skill_section")),
        )
        return obs

    def observe(self, case: Case) -> dict[str, Any]:
        digest = case_hash(case, self.version)
        path = self.dir / f"{digest}.json"
        if self.use_cache and path.is_file():
            self.cached += 1
            cached: dict[str, Any] = json.loads(path.read_text())
            return cached
        obs = run(case, self.binary, self.accepts, self.baseline, self.dir / f"{digest}.debug.txt")
        if case.kind in ("skill", "command"):
            # A second run types ``/name``: a skill the model may not invoke
            # (disable-model-invocation) is not in the list, but it runs when the user types it.
            said = run(case, self.binary, self.accepts, self.baseline, say="/" + listed_name(case))
            obs["invocation"] = said.get("invocation")
            self.ran += 1
            obs["timed_out"] = obs.get("timed_out") or said.get("timed_out")
        if obs.get("timed_out"):
            print(f"oracle: {case.key}: timed out", file=sys.stderr)
        else:
            path.write_text(json.dumps(obs, indent=1))
        self.ran += 1
        return obs


def listed_name(case: Case) -> str:
    """The name a skill or command is listed and typed under: the skill's folder, the command's
    path in the commands folder (``frontend/test.md`` -> ``frontend:test``)."""
    if case.kind == "skill":
        return case.rel
    return case.rel.removesuffix(".md").replace("/", ":")


def judge(
    case: Case, obs: dict[str, Any], runner: Runner, release: dict[str, Any]
) -> dict[str, Any]:
    written = read(case.path.read_text(encoding="utf-8", errors="replace"))
    version = runner.version
    if case.kind in ("subagent", "plugin-agent"):
        plugin_name = None
        if case.manifest is not None:
            try:
                plugin_name = json.loads(case.manifest.read_text()).get("name")
            except ValueError:
                plugin_name = None
            plugin_name = plugin_name or (case.plugin_root.name if case.plugin_root else None)
        return judge_agent(
            case.kind,
            written,
            obs,
            version,
            plugin_name,
            release.get("tool_aliases", {}),
            release.get("default_model"),
            release.get("served_by_bash", []),
            release.get("not_in_headless", []),
        )
    return judge_skill(case.kind, written, obs, version, listed_name(case))


def calibrate(runner: Runner, work: Path, names: tuple[str, ...] = TOOL_NAMES) -> dict[str, Any]:
    """Facts read from the release by one-line agents: tool names, model aliases."""
    work.mkdir(parents=True, exist_ok=True)
    cases: list[tuple[str, str, Case]] = []
    for tool in names:
        name = f"calibrate-tool-{tool.lower()}"
        path = work / f"{name}.md"
        path.write_text(f"---\nname: {name}\ndescription: Calibration.\ntools: {tool}\n---\nOk.\n")
        cases.append(("tool", tool, Case(name, "calibration", path, "subagent", path.name)))
    path = work / "calibrate-bash-search.md"
    path.write_text(
        "---\nname: calibrate-bash-search\ndescription: Calibration.\ntools: Bash, Glob, Grep\n"
        "---\nOk.\n"
    )
    bash_case = Case("bash", "calibration", path, "subagent", path.name)
    cases.append(("bash", "Bash, Glob, Grep", bash_case))
    for alias in MODEL_ALIASES:
        slug = "".join(c if c.isalnum() else "-" for c in alias)
        name = f"calibrate-model-{slug}"
        path = work / f"{name}.md"
        path.write_text(f"---\nname: {name}\ndescription: Calibration.\nmodel: {alias}\n---\nOk.\n")
        cases.append(("model", alias, Case(name, "calibration", path, "subagent", path.name)))
    with ThreadPoolExecutor(max_workers=2) as pool:
        observed = list(pool.map(lambda c: runner.observe(c[2]), cases))
    aliases: dict[str, str] = {}
    tools: dict[str, str] = {}
    models: dict[str, Any] = {}
    served_by_bash: list[str] = []
    for (what, value, _), obs in zip(cases, observed, strict=True):
        sub = obs.get("subagent")
        if what == "bash":
            have = set(sub.get("tools") or []) if sub else set()
            if "Bash" in have:
                served_by_bash = sorted({"Glob", "Grep"} - have)
        elif what == "tool":
            got = sub.get("tools") if sub else None
            refusal = obs.get("probe_result") or ""
            if got == [value]:
                tools[value] = "granted"
            elif got and len(got) == 1:
                tools[value] = f"resolves to {got[0]}"
                aliases[value] = got[0]
            elif got is not None:
                tools[value] = f"granted as {', '.join(got) or 'nothing'}"
            elif f"unrecognized [{value}]" in refusal:
                tools[value] = "unrecognized"
            else:
                tools[value] = "refused: " + (refusal.splitlines() or [""])[0][:160]
        else:
            if sub is not None and sub.get("status") == 200:
                models[value] = sub.get("model")
            elif sub is not None:
                models[value] = f"sent as {sub.get('model')}, rejected by the API"
            else:
                models[value] = None if obs.get("agent_entry") is None else "not spawned"
    return {
        "tool_aliases": aliases,
        "tool_names": tools,
        "served_by_bash": served_by_bash,
        # Current tools this headless run does not offer (`TodoWrite`, `TaskCreate`, `LSP`...) and
        # `ToolSearch`, offered only when some tool is deferred (an MCP server): an interactive
        # session, or one with MCP servers, may grant them, so the oracle cannot say they grant
        # nothing. Older names that are unrecognized are not among them.
        "not_in_headless": sorted(
            name
            for name, fate in tools.items()
            if name not in OLDER_TOOL_NAMES
            and (fate == "unrecognized" or fate == "granted as nothing")
        ),
        "model_aliases": models,
    }


GATEWAY_MODEL = "my-gateway-model"
# (what, model written in the agent, extra environment, does the endpoint take every model)
GATEWAY_TRIALS: tuple[tuple[str, str | None, dict[str, str], bool], ...] = (
    ("custom_id_anthropic_api", GATEWAY_MODEL, {}, False),
    ("custom_id_gateway", GATEWAY_MODEL, {}, True),
    ("inherit_anthropic_model", "inherit", {"ANTHROPIC_MODEL": GATEWAY_MODEL}, True),
    ("sonnet_default_sonnet_model", "sonnet", {"ANTHROPIC_DEFAULT_SONNET_MODEL": "gw-sonnet"},
     True),
)  # fmt: skip


def gateway(runner: Runner, work: Path) -> dict[str, Any]:
    """What a custom model id does, against Anthropic's API and against a gateway (a stand-in
    that takes every model), and what ANTHROPIC_MODEL / ANTHROPIC_DEFAULT_SONNET_MODEL change:
    the facts behind the `gatewayModels` setting. Cached per harness revision and release."""
    path = runner.dir / f"gateway-{HARNESS_REVISION}.json"
    if runner.use_cache and path.is_file():
        cached: dict[str, Any] = json.loads(path.read_text())
        return cached
    assert runner.baseline is not None
    work.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {}
    for what, model, env, takes_all in GATEWAY_TRIALS:
        name = f"gateway-{what.replace('_', '-')}"
        file = work / f"{name}.md"
        file.write_text(
            f"---\nname: {name}\ndescription: Gateway probe.\ntools: Read\n"
            + (f"model: {model}\n" if model else "")
            + "---\nOk.\n"
        )
        accepts = (lambda _m: True) if takes_all else runner.accepts
        obs = run(
            Case(name, "calibration", file, "subagent", file.name),
            runner.binary,
            accepts,
            runner.baseline,
            extra_env=env,
        )
        sub = obs.get("subagent") or {}
        out[what] = {
            "written": model,
            "environment": env,
            "endpoint": "takes every model" if takes_all else "Anthropic's model ids only",
            "main_model": obs.get("main_model"),
            "sent_as": sub.get("model"),
            "status": sub.get("status"),
        }
    path.write_text(json.dumps(out, indent=1))
    return out


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m oracle", description=__doc__.split("\n")[0])
    parser.add_argument("--version", default=CLAUDE_CODE_VERSION, help="Claude Code release")
    parser.add_argument("--only", action="append", default=[], help="keys containing this")
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--install-only", action="store_true")
    parser.add_argument("--no-netns", action="store_true", help="do not isolate the network")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=TRUTH)
    args = parser.parse_args(argv)

    started = time.monotonic()
    binary = ensure_installed(CACHE, args.version)
    if not in_netns():
        print(f"oracle: Claude Code {args.version}: {binary}", flush=True)
    if args.install_only:
        return 0
    if not in_netns() and not args.no_netns:
        reexec_in_netns(argv)  # returns only when no namespace can be made
    if in_netns():
        print("oracle: running in a network namespace of its own (loopback only)")

    runner = Runner(binary, args.version, use_cache=not args.no_cache)
    base = runner.baseline_run()
    release: dict[str, Any] = {
        "observed_in": (
            f"claude -p (headless), {platform_key()}, throwaway HOME, no MCP servers, the "
            "stand-in Messages API on 127.0.0.1; a tool 'unrecognized' here may exist in an "
            "interactive session or on another platform"
        ),
        "default_model": base.get("main_model"),
        "main_tools": base.get("main_tools", []),
        "builtin_agents": sorted(
            e.name
            for e in (
                prompt.parse_agent_entry(x) for x in prompt.entries(base.get("agent_section") or "")
            )
            if e is not None
        ),
    }
    # The release's own tables (oracle/facts.py) add the names it knows to those probed.
    bundle = facts.extract(binary)
    release["bundle"] = bundle
    probed = tuple(dict.fromkeys([*TOOL_NAMES, *bundle["tool_names"], *bundle["tool_aliases"]]))
    release.update(calibrate(runner, CACHE / "calibration", probed))
    release["gateway"] = gateway(runner, CACHE / "calibration")

    cases = list(find(FIXTURES, "fixtures"))
    if args.corpus.is_dir():
        cases += list(find(args.corpus, "corpus"))
    else:
        print(f"oracle: {args.corpus} not found: corpus left as it is in the truth file")
    if args.only:
        cases = [c for c in cases if any(o in c.key for o in args.only)]
    print(f"oracle: {len(cases)} files", flush=True)

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        observed = list(pool.map(runner.observe, cases))

    old: dict[str, Any] = {}
    if args.out.is_file():
        old = json.loads(args.out.read_text(encoding="utf-8"))
    truth: dict[str, Any] = {
        "claude_code_version": args.version,
        "generated_by": "make oracle (see oracle/README.md); do not edit by hand",
        "release": release,
        "fixtures": {},
        "corpus": {},
    }
    if args.only or not args.corpus.is_dir():
        for section in ("fixtures", "corpus"):
            if old.get("claude_code_version") == args.version:
                truth[section] = dict(old.get(section, {}))
    if not args.corpus.is_dir() and old.get("claude_code_version") != args.version:
        print("oracle: the corpus entries are dropped (they were for another release)")
    for case, obs in zip(cases, observed, strict=True):
        truth[case.section][case.key] = judge(case, obs, runner, release)
    for section in ("fixtures", "corpus"):
        truth[section] = dict(sorted(truth[section].items()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    counts: dict[str, dict[str, int]] = {}
    for section in ("fixtures", "corpus"):
        for entry in truth[section].values():
            bucket = counts.setdefault(section, {})
            bucket[entry["verdict"]] = bucket.get(entry["verdict"], 0) + 1
    took = time.monotonic() - started
    print(f"oracle: {runner.ran} runs, {runner.cached} cached, {took:.0f} s")
    for section, bucket in counts.items():
        print(f"oracle: {section}: " + ", ".join(f"{v} {k}" for k, v in sorted(bucket.items())))
    print(f"oracle: wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
