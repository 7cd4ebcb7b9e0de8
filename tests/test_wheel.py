"""The installed wheel is the product: build the wheel of this checkout, install it with its locked
runtime dependencies into a fresh venv outside the checkout, and run the installed
``subagent-lsp`` from a folder outside the checkout, with nothing pointing back at the sources.

The build runs on a copy of the checkout (setuptools writes build/ and *.egg-info next to the
sources, and a stale build/lib can leak into a wheel), and the install checks every hash: the
wheel's own and, through the lock used as constraints, every runtime dependency's (so a runtime
dependency missing from the lock fails here too). One wheel and one venv per module.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.lsp.client import LanguageClient

from .standin import StandIn

REPO = Path(__file__).resolve().parent.parent
LOCK = REPO / "requirements" / "dev.txt"
BUNDLED = "subagent_lsp/bundled/backend-developer.md"
KEY = "test-key"

# A working folder with a project marker (so the tool's workspace is this folder, not /tmp), a
# schema and a raw-SQL repository reading orders by an unindexed column.
SCHEMA_SQL = """\
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_email TEXT NOT NULL,
    total INTEGER NOT NULL
);
"""
STORE_PY = """\
import sqlite3


def orders_of(conn: sqlite3.Connection, email: str):
    return conn.execute("SELECT id, total FROM orders WHERE customer_email = ?", (email,)).fetchall()
"""
# An unterminated quote: not even Claude Code's quoting retry reads it, so it skips the file.
BROKEN_AGENT = """\
---
name: broken
description: "Use this agent when reviewing code
---
You review code.
"""
CLEAN_AGENT = """\
---
name: reviewer
description: Reviews Python code for bugs. Use after editing Python files.
model: sonnet
---
You review Python code for correctness bugs and report each one with its file and line.
"""


@dataclass(frozen=True)
class Installed:
    venv: Path
    wheel: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def script(self) -> Path:
        return self.venv / "bin" / "subagent-lsp"


def _uv() -> str:
    for candidate in (REPO / ".venv" / "bin" / "uv", Path(sys.executable).parent / "uv"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("uv")
    if found is None:
        pytest.skip(
            "needs uv (in .venv/bin: `make .venv/.installed`) to build and install the wheel"
        )
    return found


def _run(cmd: list[Any], timeout: float = 120, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, **kwargs
    )


def _ok(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert proc.returncode == 0, (
        f"{' '.join(map(str, proc.args))} exited {proc.returncode}\n"
        f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    )
    return proc


def _uv_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return env


def _copy_sources(dest: Path) -> None:
    """What git sees of the checkout (tracked and untracked, minus ignored), symlinks kept."""
    listed = _run(
        ["git", "-C", REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        timeout=60,
    )
    if listed.returncode == 0:
        names = [n for n in listed.stdout.split("\0") if n]
        for name in names:
            src = REPO / name
            if not src.is_symlink() and not src.is_file():
                continue  # deleted in the work tree, not yet staged
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target, follow_symlinks=False)
        return
    shutil.copytree(
        REPO,
        dest,
        symlinks=True,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "build",
            "dist",
            "*.egg-info",
            "__pycache__",
            "node_modules",
            ".*_cache",
            ".hypothesis",
            ".coverage*",
        ),
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    uv = _uv()
    src = tmp_path_factory.mktemp("src")
    _copy_sources(src)
    dist = tmp_path_factory.mktemp("dist")
    _ok(
        _run(
            [
                uv,
                "build",
                "--wheel",
                "--no-build-isolation",
                "--python",
                sys.executable,
                "-o",
                dist,
                src,
            ],
            env=_uv_env(),
        )
    )
    wheels = sorted(dist.glob("subagent_lsp-*.whl"))
    assert len(wheels) == 1, f"expected one subagent_lsp wheel in {dist}: {os.listdir(dist)}"
    wheel = wheels[0]

    venv = tmp_path_factory.mktemp("venv") / "venv"
    base = getattr(sys, "_base_executable", None) or sys.executable
    _ok(_run([base, "-m", "venv", "--without-pip", venv]))
    digest = sha256(wheel.read_bytes()).hexdigest()
    requirements = tmp_path_factory.mktemp("req") / "wheel.txt"
    requirements.write_text(f"subagent-lsp @ {wheel.as_uri()} --hash=sha256:{digest}\n")
    _ok(
        _run(
            [
                uv,
                "pip",
                "install",
                "--require-hashes",
                "--python",
                venv / "bin" / "python",
                "-r",
                requirements,
                "-c",
                LOCK,
            ],
            env=_uv_env(),
        )
    )
    return Installed(venv, wheel)


@pytest.fixture()
def product_env(tmp_path: Path) -> dict[str, str]:
    """An environment with nothing leading back to the checkout or the dev venv."""
    dev_bin = str(Path(sys.executable).parent)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV", "ANTHROPIC_", "COV", "UV_"))
        and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
    }
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if p and p != dev_bin
    )
    home = tmp_path / "home"
    home.mkdir()
    env["HOME"] = str(home)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


@pytest.fixture()
def workdir(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    assert REPO not in work.resolve().parents
    return work


@pytest.fixture()
def app(workdir: Path) -> Path:
    folder = workdir / "app"
    folder.mkdir()
    (folder / "requirements.txt").write_text("")
    (folder / "schema.sql").write_text(SCHEMA_SQL)
    (folder / "store.py").write_text(STORE_PY)
    return folder


def _agent_body(text: str) -> str:
    """The body of an agent file (what follows the closing ``---`` of the frontmatter)."""
    assert text.startswith("---\n")
    return text[4:].split("\n---\n", 1)[1].strip()


def test_wheel_ships_the_package_and_its_data(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as whl:
        names = set(whl.namelist())
        assert BUNDLED in names and "subagent_lsp/py.typed" in names
        assert not any(n.startswith(("agent_lsp/", "tests/", "server/")) for n in names), names
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert "subagent-lsp = subagent_lsp.cli:main" in whl.read(entry_points).decode()
        shipped = whl.read(BUNDLED)
    assert shipped == (REPO / "server" / BUNDLED).read_bytes()


def test_installed_package_is_not_the_checkout(
    installed: Installed, workdir: Path, product_env: dict[str, str]
) -> None:
    code = (
        "import json, subagent_lsp, sysconfig\n"
        "from importlib.resources import files\n"
        "print(json.dumps({'file': subagent_lsp.__file__, 'purelib': sysconfig.get_paths()['purelib'],"
        " 'bundled': str(files('subagent_lsp') / 'bundled' / 'backend-developer.md')}))\n"
    )
    proc = _ok(_run([installed.python, "-c", code], timeout=60, cwd=workdir, env=product_env))
    where = json.loads(proc.stdout)
    package = Path(where["file"]).resolve()
    purelib = Path(where["purelib"]).resolve()
    assert REPO not in package.parents, f"imported from the checkout: {package}"
    assert purelib in package.parents and installed.venv.resolve() in purelib.parents
    bundled = Path(where["bundled"])
    assert bundled.resolve() == purelib / BUNDLED and bundled.is_file()
    assert bundled.read_bytes() == (REPO / "server" / BUNDLED).read_bytes()
    shebang = installed.script.read_text().splitlines()[0]
    assert shebang.startswith("#!") and str(installed.venv) in shebang, shebang


def test_check_from_the_installed_script(
    installed: Installed, workdir: Path, product_env: dict[str, str]
) -> None:
    broken = workdir / "broken" / ".claude" / "agents"
    broken.mkdir(parents=True)
    (broken / "broken.md").write_text(BROKEN_AGENT)
    clean = workdir / "clean" / ".claude" / "agents"
    clean.mkdir(parents=True)
    (clean / "reviewer.md").write_text(CLEAN_AGENT)

    proc = _run([installed.script, "check", "broken"], timeout=60, cwd=workdir, env=product_env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "broken.md:3:" in proc.stdout and "error AGT006" in proc.stdout, proc.stdout

    proc = _run([installed.script, "check", "clean"], timeout=60, cwd=workdir, env=product_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "All clear: 1 Claude Code file checked." in proc.stdout, proc.stdout
    assert "AGT" not in proc.stdout + proc.stderr


def test_offline_suggest_from_the_installed_script(
    installed: Installed, app: Path, workdir: Path, product_env: dict[str, str]
) -> None:
    proc = _ok(
        _run(
            [installed.script, "suggest", "--format", "json", "app/store.py"],
            timeout=60,
            cwd=workdir,
            env=product_env,
        )
    )
    data = json.loads(proc.stdout)
    assert [(d["code"], d["kind"], d["engine"], d["proven"]) for d in data] == [
        ("BKD101", "index", "offline", True)
    ], data
    (edit,) = data[0]["edits"]
    assert edit["path"] == "app/schema.sql"
    assert edit["newText"] == "CREATE INDEX ix_orders_customer_email ON orders (customer_email);\n"
    assert (app / "schema.sql").read_text() == SCHEMA_SQL  # shown, not applied


def test_agent_suggest_from_the_installed_script(
    installed: Installed, app: Path, workdir: Path, product_env: dict[str, str]
) -> None:
    index = "CREATE INDEX ix_orders_email_standin ON orders (customer_email);"
    answer = {
        "summary": "Index the email lookup.",
        "suggestions": [
            {
                "kind": "index",
                "title": "Index orders by customer email (stand-in)",
                "rationale": "orders_of scans the whole table for one customer.",
                "edits": [
                    {
                        "path": "schema.sql",
                        "find": "    total INTEGER NOT NULL\n);\n",
                        "replace": f"    total INTEGER NOT NULL\n);\n{index}\n",
                    }
                ],
            }
        ],
    }
    standin = StandIn(answer=lambda body: answer).start()
    try:
        env = {**product_env, "ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": standin.url}
        proc = _run(
            [installed.script, "suggest", "--agent", "--kind", "index", "app/store.py"],
            timeout=90,
            cwd=workdir,
            env=env,
        )
    finally:
        standin.stop()
    _ok(proc)

    calls = [r for r in standin.requests if r["path"].endswith("/v1/messages")]
    assert len(calls) == 1, [r["path"] for r in standin.requests]
    request = calls[0]
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert KEY in (
        headers.get("x-api-key"),
        headers.get("authorization", "").removeprefix("Bearer "),
    )
    body = request["body"]
    bundled = (REPO / "server" / BUNDLED).read_text(encoding="utf-8")
    assert [part["text"] for part in body["system"]] == [_agent_body(bundled)]
    assert body["model"].startswith("claude-")
    assert body["tool_choice"] == {"type": "tool", "name": "propose_changes"}
    assert "customer_email = ?" in json.dumps(body["messages"])

    assert "1 call (1 file x 1 kind)" in proc.stderr, proc.stderr
    assert KEY not in proc.stdout + proc.stderr
    out = proc.stdout
    assert (
        "app/store.py:1:1: BKD900 [index] Index orders by customer email (stand-in) "
        "(proven on SQLite)" in out
    ), out
    assert f"    +{index}" in out, out
    assert out.rstrip().endswith("backend-developer (backend-developer agent): 1 index."), out
    assert (app / "schema.sql").read_text() == SCHEMA_SQL  # shown, not applied


async def test_language_server_from_the_installed_script(
    installed: Installed, workdir: Path, product_env: dict[str, str]
) -> None:
    """`subagent-lsp serve` over stdio: initialize, open a broken agent, get its diagnostics."""
    agents = workdir / ".claude" / "agents"
    agents.mkdir(parents=True)
    path = agents / "broken.md"
    path.write_text(BROKEN_AGENT)
    uri = path.as_uri()
    client = LanguageClient("wheel-test", "0")
    published: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def diagnostics(params: types.PublishDiagnosticsParams) -> None:
        published.put_nowait(params)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        return None

    @client.feature(types.WORKSPACE_CONFIGURATION)
    def configuration(params: types.ConfigurationParams) -> list[Any]:
        return [None for _ in params.items]

    async def codes_of_broken() -> list[str]:
        while True:
            params = await published.get()
            if params.uri == uri and params.diagnostics:
                return [str(d.code) for d in params.diagnostics]

    await client.start_io(str(installed.script), "serve", cwd=str(workdir), env=product_env)
    try:
        result = await asyncio.wait_for(
            client.initialize_async(
                types.InitializeParams(
                    capabilities=types.ClientCapabilities(), root_uri=workdir.as_uri()
                )
            ),
            60,
        )
        assert result.server_info is not None and result.server_info.name == "subagent-lsp"
        client.initialized(types.InitializedParams())
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(
                    uri=uri, language_id="markdown", version=1, text=BROKEN_AGENT
                )
            )
        )
        assert "AGT006" in await asyncio.wait_for(codes_of_broken(), 60)
        await asyncio.wait_for(client.shutdown_async(None), 30)
        client.exit(None)
    finally:
        await client.stop()
