"""From what Claude Code did (an observation) and what the file says, one verdict per file.

* ``skipped``               not loaded at all (not in the agent or skill list)
* ``refused``               listed, but spawning it fails: Claude Code refuses (every tool
                            unresolvable) or the API rejects the model it sends
* ``frontmatter-dropped``   loaded with its frontmatter ignored (a plugin agent whose YAML fails
                            even the quoting retry: "Agent from <plugin> plugin", all tools, the
                            default model; a skill listed with its body's first line)
* ``loaded-not-as-written`` loaded, but something observable differs from what is written: it
                            parses only through Claude Code's quoting retry (other YAML readers
                            reject it), a key is duplicated (the last wins), a listed tool grants
                            nothing, a disallowed tool is still granted, a full model id is sent
                            as something else, the listed name or description is not the written
                            one
* ``loaded-as-written``     none of that. Things Claude Code gives no sign of (an unknown key, a
                            bad enum value) cannot be seen here: such files are judged as written.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from . import prompt
from .frontmatter import Written, split_tools, tool_base
from .probe import stable_text

HANDBACK = "[Subagent hand-back]"


def _norm(text: str) -> str:
    return " ".join(text.split())


def _same_text(listed: str, written: str) -> bool:
    # The skill listing escapes `<`, `>` and `&` (`skills/&lt;name&gt;/SKILL.md`): the same text.
    # An agent's description written with `\n` (two characters, as many real files do) is listed
    # with line breaks there.
    a, b = _norm(html.unescape(listed)), _norm(written.replace("\\n", "\n"))
    if a == b:
        return True
    # A long description is cut, with an ellipsis, in the listing.
    return any(a.endswith(cut) and b.startswith(a[: -len(cut)].rstrip()) for cut in ("…", "..."))


def _first_line(text: str | None) -> str | None:
    if not text:
        return None
    return text.strip().splitlines()[0][:300] if text.strip() else None


def _parse_problems(obs: dict[str, Any]) -> list[str]:
    return [
        line
        for line in obs.get("debug") or []
        if re.search(r"frontmatter|yaml", line, re.I) and re.search(r"WARN|ERROR", line)
    ]


def _entry(
    case_kind: str,
    version: str,
    loaded: bool,
    verdict: str,
    details: list[str],
    obs: dict[str, Any],
    name: str | None = None,
    description: str | None = None,
    tools: Any = None,
    model: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": case_kind,
        "claude_code_version": version,
        "loaded": loaded,
        "name": name,
        "description": description,
        "tools": tools,
        "model": model,
        "verdict": verdict,
        "details": details,
    }
    out.update(extra)
    out["debug"] = obs.get("debug") or []
    return out


def judge_agent(
    kind: str,
    written: Written,
    obs: dict[str, Any],
    version: str,
    plugin_name: str | None,
    aliases: dict[str, str],
    main_model: str | None,
    served_by_bash: Sequence[str] = (),
    not_in_headless: Sequence[str] = (),
) -> dict[str, Any]:
    text = obs.get("agent_entry")
    entry = prompt.parse_agent_entry(text) if text else None
    if entry is None:
        why = _parse_problems(obs) or ["not in the Agent tool's list of agent types"]
        if text:
            why.append(f"unparsed listing entry: {text[:200]}")
        return _entry(kind, version, False, "skipped", why, obs)
    sub = obs.get("subagent")
    granted: list[str] | None = None
    if sub is not None:
        granted = list(sub.get("tools") or []) + list(sub.get("deferred_tools") or [])
    common: dict[str, Any] = {
        "name": entry.name,
        "description": entry.description,
        "tools": granted,
        "model": sub.get("model") if sub else None,
        "listed_tools": entry.tools,
    }
    result = obs.get("probe_result")
    if result is not None and not result.startswith(HANDBACK):
        common["refusal"] = _first_line(result)
    details: list[str] = []

    # Frontmatter dropped: a plugin agent whose YAML fails even the retry.
    if plugin_name is not None and entry.description == f"Agent from {plugin_name} plugin":
        written_desc = written.get("description")
        if not written.has_frontmatter:
            details.append(
                f'no frontmatter: listed as `{entry.name}` with "{entry.description}", '
                f"tools {entry.tools}" + (f", model {common['model']}" if common["model"] else "")
            )
            return _entry(kind, version, True, "loaded-not-as-written", details, obs, **common)
        if not (isinstance(written_desc, str) and _same_text(entry.description, written_desc)):
            details.append(
                f"frontmatter not parsed even by the quoting retry: listed as `{entry.name}` "
                f'with "{entry.description}", tools {entry.tools}'
                + (f", model {common['model']}" if common["model"] else "")
            )
            details.extend(_parse_problems(obs))
            return _entry(kind, version, True, "frontmatter-dropped", details, obs, **common)

    # Refused at spawn only for want of what the harness's throwaway project lacks: a git
    # repository (`isolation: worktree`) or MCP servers (an agent whose tools are all
    # `mcp__...`). In the file's own project it spawns, so nothing observable says otherwise.
    why_env = _environment_refusal(common.get("refusal"))
    if sub is None and why_env:
        details.append(f"refused here only because {why_env}: {common['refusal']}"[:300])
        return _entry(kind, version, True, "loaded-as-written", details, obs, **common)

    # Refused at spawn.
    if sub is None or (sub.get("status") not in (None, 200)):
        if result is not None and not result.startswith(HANDBACK):
            details.append(f"spawn fails: {_first_line(result)}")
        elif sub is None:
            details.append("spawn fails: no request was sent for the agent")
        if sub is not None and sub.get("status") == 404:
            details.append(f"the API rejects model `{sub.get('model')}` (404 not_found_error)")
        return _entry(kind, version, True, "refused", details, obs, **common)

    # Loaded: compare with what is written.
    if written.has_frontmatter and not written.strict_ok:
        details.append(
            "strict YAML fails, so it loads only through Claude Code's quoting retry "
            f"(other YAML readers reject it): {written.strict_error or ''}"[:300]
        )
    for key in written.duplicate_keys:
        details.append(f"duplicate key `{key}`: the last value wins")
    wname = written.get("name")
    if isinstance(wname, str):
        expected = f"{plugin_name}:{wname}" if plugin_name else wname
        if entry.name != expected:
            details.append(f"listed as `{entry.name}`, written name `{wname}`")
    wdesc = written.get("description")
    if isinstance(wdesc, str) and not _same_text(entry.description, wdesc):
        details.append(f"listed description differs: {entry.description[:160]!r}")
    notes: list[str] = []
    raw = written.raw_value("description")
    if raw and " #" in raw and raw[0] not in "\"'" and len(_norm(raw)) > len(entry.description):
        notes.append("the description is cut at ` #`: YAML reads the rest of the line as a comment")

    assert granted is not None
    wtools = split_tools(written.get("tools"))
    disallowed = {tool_base(t) for t in split_tools(written.get("disallowedTools")) or []}
    if wtools:
        for item in wtools:
            base = tool_base(item)
            if base in ("*", "") or base.startswith("mcp__") or base in disallowed:
                continue
            if base in granted:
                continue
            if base in not_in_headless:
                notes.append(
                    f"`{base}` is not offered in this headless session (an interactive one, or "
                    "one with MCP servers, may offer it)"
                )
                continue
            if base in served_by_bash and "Bash" in granted:
                notes.append(f"`{base}` is served through `Bash` (not in the tool list)")
                continue
            target = aliases.get(base)
            if target and target in granted:
                notes.append(f"`{base}` resolves to `{target}`")
                continue
            details.append(f"tools: `{item}` grants nothing (the agent gets {sorted(granted)})")
    for item in split_tools(written.get("disallowedTools")) or []:
        base = tool_base(item)
        if "(" not in item and not base.startswith("mcp__") and base in granted:
            details.append(f"disallowedTools: `{item}` is still granted")
    wmodel = written.get("model")
    model = sub.get("model")
    if isinstance(wmodel, str) and wmodel.strip():
        if wmodel.startswith("claude-") and model != wmodel:
            details.append(f"model `{wmodel}` is sent as `{model}`")
        elif model != wmodel:
            notes.append(f"model `{wmodel}` resolves to `{model}`")
    elif wmodel is not None and not isinstance(wmodel, str):
        notes.append(f"model {wmodel!r} (not a string) sent as `{model}`")
    elif main_model and model != main_model:
        notes.append(f"no model: runs on `{model}`")
    verdict = "loaded-not-as-written" if details else "loaded-as-written"
    return _entry(kind, version, True, verdict, details + notes, obs, **common)


_UNRECOGNIZED = re.compile(r"unrecognized \[([^\]]*)\]")


def _environment_refusal(refusal: str | None) -> str | None:
    if not refusal:
        return None
    if "Cannot create agent worktree: not in a git repository" in refusal:
        return "the harness's project is not a git repository (`isolation: worktree`)"
    m = _UNRECOGNIZED.search(refusal)
    if "zero tools" in refusal and m:
        names = [n.strip() for n in m.group(1).split(",") if n.strip()]
        if names and all(n.startswith("mcp__") for n in names):
            return "the harness configures no MCP servers (every listed tool is `mcp__...`)"
    return None


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "yes", "on", "1")


def judge_skill(
    kind: str, written: Written, obs: dict[str, Any], version: str, listed_name: str
) -> dict[str, Any]:
    text = obs.get("skill_entry")
    entry = prompt.parse_skill_entry(text) if text else None
    call = dict(obs.get("invocation") or {})
    if call.get("text"):
        call["text"] = stable_text(call["text"])
    invoked = bool(call.get("invoked"))
    details: list[str] = []
    notes: list[str] = []
    if entry is None and not invoked:
        why = _parse_problems(obs) or [
            f"not in the Skill tool's list, and `/{listed_name}` is not a command"
        ]
        if text:
            why.append(f"unparsed listing entry: {text[:200]}")
        return _entry(kind, version, False, "skipped", why, obs, invocation=call or None)
    common: dict[str, Any] = {
        "name": entry.name if entry else listed_name,
        "description": entry.description if entry else None,
        "display_name": entry.display if entry else None,
        "invocation": call or None,
    }
    if entry is None:
        if _truthy(written.get("disable-model-invocation")):
            notes.append(
                f"not in the Skill tool's list (disable-model-invocation); `/{listed_name}` runs it"
            )
        else:
            details.append(f"not in the Skill tool's list, though `/{listed_name}` runs it")
    elif not invoked:
        if written.get("user-invocable") is None or _truthy(written.get("user-invocable")):
            details.append(f"listed, but `/{listed_name}` does not run it")
        else:
            notes.append(f"`/{listed_name}` does not run it (user-invocable: false)")
    if _parse_problems(obs) and written.has_frontmatter:
        details.append(
            "frontmatter not parsed even by the quoting retry: "
            + (f"listed with {entry.description[:120]!r}; " if entry else "")
            + "its keys are dropped"
        )
        details.extend(_parse_problems(obs))
        return _entry(kind, version, True, "frontmatter-dropped", details, obs, **common)
    if written.has_frontmatter and not written.strict_ok:
        details.append(
            "strict YAML fails, so it loads only through Claude Code's quoting retry "
            f"(other YAML readers reject it): {written.strict_error or ''}"[:300]
        )
    for key in written.duplicate_keys:
        details.append(f"duplicate key `{key}`: the last value wins")
    if entry is not None and entry.name != listed_name:
        details.append(f"listed as `{entry.name}`, expected `{listed_name}`")
    wname = written.get("name")
    if kind == "skill" and isinstance(wname, str) and wname != listed_name:
        shown = f" (shown as `{entry.display}`)" if entry and entry.display else ""
        notes.append(f"frontmatter name `{wname}` is not the folder name{shown}")
    wdesc = written.get("description")
    when = written.get("when_to_use")
    if isinstance(wdesc, str) and isinstance(when, str) and when.strip():
        # Claude Code lists `when_to_use` after the description: "<description> - <when_to_use>".
        wdesc = f"{wdesc} - {when}"
    if entry is not None:
        if isinstance(wdesc, str) and not _same_text(entry.description, wdesc):
            details.append(f"listed description differs: {entry.description[:160]!r}")
        elif wdesc is None:
            notes.append(f"no description: listed with {entry.description[:80]!r}")
    verdict = "loaded-not-as-written" if details else "loaded-as-written"
    return _entry(kind, version, True, verdict, details + notes, obs, **common)
