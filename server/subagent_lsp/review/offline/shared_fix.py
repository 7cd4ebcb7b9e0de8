"""What shared_helpers decides for a project helper: its one BKD302 fix, as a value the module
facts carry (frameworks.py names it without importing the analysis)."""

from __future__ import annotations

from dataclasses import dataclass

from .upstream_calls import Reach


@dataclass(frozen=True)
class SharedHelper:
    """The helper's one fix: ``go_on`` (log and carry on) or ``raise`` (the framework's 502,
    ``framework``), the request it guards, and who calls it (module path, view name).
    ``why`` of a ``go_on``: ``notify`` (it notifies), ``saved`` (every caller saved before),
    ``both``."""

    how: str
    framework: str
    reach: Reach
    callers: tuple[tuple[str, str], ...]
    why: str = ""
