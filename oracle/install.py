"""Install the pinned Claude Code release with npm into a cache folder and find its binary.

``@anthropic-ai/claude-code`` ships a placeholder ``bin/claude.exe`` (a shell script that prints
"claude native binary not installed") and one native binary per platform as an optional
dependency, ``@anthropic-ai/claude-code-<platform>``; its postinstall (``install.cjs``) copies the
matching binary over the placeholder. We install with ``--ignore-scripts`` (no install script of
a registry package runs here), so npm still fetches the platform package from the registry, and we
run its binary directly: ``node_modules/@anthropic-ai/claude-code-linux-x64/claude``. It is a
self-contained executable (it does not need Node at run time). Nothing is downloaded from anywhere
but the npm registry.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path

PACKAGE = "@anthropic-ai/claude-code"


def platform_key() -> str:
    system = {"Linux": "linux", "Darwin": "darwin", "Windows": "win32"}.get(platform.system(), "")
    machine = platform.machine().lower()
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(machine)
    if not system or not arch:
        raise SystemExit(f"oracle: no Claude Code build for {platform.system()} {machine}")
    key = f"{system}-{arch}"
    if system == "linux" and _is_musl():
        key += "-musl"
    return key


def _is_musl() -> bool:
    libc, _ = platform.libc_ver()
    return libc != "glibc" and any(Path("/lib").glob("ld-musl-*"))


def install_dir(cache: Path, version: str) -> Path:
    return cache / f"claude-code-{version}"


def binary_path(cache: Path, version: str) -> Path:
    name = "claude.exe" if platform.system() == "Windows" else "claude"
    return (
        install_dir(cache, version)
        / "node_modules"
        / "@anthropic-ai"
        / f"claude-code-{platform_key()}"
        / name
    )


def installed_version(binary: Path) -> str | None:
    """``claude --version`` prints ``2.1.332 (Claude Code)``; None when the binary does not run."""
    try:
        out = subprocess.run(
            [str(binary), "--version"],
            capture_output=True,
            text=True,
            timeout=60,
            env={"PATH": os.environ.get("PATH", ""), "HOME": str(binary.parent)},
            check=False,
        )
    except OSError:
        return None
    if out.returncode != 0 or not out.stdout.strip():
        return None
    return out.stdout.split()[0]


def ensure_installed(cache: Path, version: str) -> Path:
    """The path of a working binary of ``version``, installing it first when needed."""
    binary = binary_path(cache, version)
    if binary.is_file() and installed_version(binary) == version:
        return binary
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("oracle: npm is needed to install Claude Code (apt-get install npm)")
    target = install_dir(cache, version)
    target.mkdir(parents=True, exist_ok=True)
    cmd = [
        npm,
        "install",
        "--prefix",
        str(target),
        f"{PACKAGE}@{version}",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
    ]
    print(f"oracle: installing {PACKAGE}@{version} into {target}", flush=True)
    subprocess.run(cmd, check=True)
    if not binary.is_file():
        raise SystemExit(
            f"oracle: npm installed {PACKAGE}@{version} but not its native package for "
            f"{platform_key()} ({binary} is missing); was --omit=optional set in npm's config?"
        )
    binary.chmod(binary.stat().st_mode | 0o111)
    got = installed_version(binary)
    if got != version:
        raise SystemExit(f"oracle: {binary} --version gives {got!r}, expected {version}")
    return binary
