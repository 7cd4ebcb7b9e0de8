"""'Did you mean' for keys, values, tools and models (rapidfuzz)."""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process, utils


def closest(word: str, choices: Iterable[str], cutoff: float = 75.0) -> str | None:
    """The choice nearest to ``word``: an exact case-insensitive match first, then fuzzy."""
    options = list(choices)
    lowered = word.lower()
    for option in options:
        if option.lower() == lowered:
            return option
    folded = lowered.replace("_", "").replace("-", "")
    for option in options:
        if option.lower().replace("_", "").replace("-", "") == folded:
            return option
    if not options or not word:
        return None
    match = process.extractOne(
        word, options, scorer=fuzz.ratio, processor=utils.default_process, score_cutoff=cutoff
    )
    return match[0] if match else None
