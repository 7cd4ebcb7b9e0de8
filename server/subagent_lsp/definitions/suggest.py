"""'Did you mean' for keys, values, tools and models (rapidfuzz)."""

from __future__ import annotations

from collections.abc import Iterable


def closest(word: str, choices: Iterable[str], cutoff: float = 75.0) -> str | None:
    """The choice nearest to ``word``: an exact case-insensitive match first, then fuzzy."""
    return closest_sure(word, choices, cutoff)[0]


def closest_sure(
    word: str, choices: Iterable[str], cutoff: float = 75.0
) -> tuple[str | None, bool]:
    """(nearest choice, sure): sure when only case, ``-`` or ``_`` differ, so replacing the word
    cannot change what the author meant; a fuzzy match is a guess to confirm."""
    options = list(choices)
    lowered = word.lower()
    for option in options:
        if option.lower() == lowered:
            return option, True
    folded = lowered.replace("_", "").replace("-", "")
    for option in options:
        if option.lower().replace("_", "").replace("-", "") == folded:
            return option, True
    if not options or not word:
        return None, False
    # rapidfuzz costs ~7 ms to import and only a misspelling gets this far: a clean file's
    # `check` (every pre-commit run) never pays for it.
    from rapidfuzz import fuzz, process, utils

    match = process.extractOne(
        word, options, scorer=fuzz.ratio, processor=utils.default_process, score_cutoff=cutoff
    )
    return (match[0], False) if match else (None, False)
