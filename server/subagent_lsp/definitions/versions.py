"""Claude Code version numbers, compared as tuples."""

from __future__ import annotations

from ..lazyre import LazyPattern

Version = tuple[int, ...]
_VERSION = LazyPattern(r"v?(\d+(?:\.\d+)*)")


def parse_version(text: str) -> Version:
    m = _VERSION.fullmatch(text.strip())
    if not m:
        raise ValueError(f"not a Claude Code version: {text!r} (expected e.g. 2.1.238)")
    return tuple(int(p) for p in m.group(1).split("."))


def format_version(version: Version) -> str:
    return ".".join(str(p) for p in version)


def at_least(version: Version, since: str | None) -> bool:
    """True when a fact introduced in ``since`` holds for ``version`` (None: always)."""
    return since is None or version >= parse_version(since)
