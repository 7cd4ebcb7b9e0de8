"""Minified or bundled code under a name no pattern knows (``viewer.js`` of a vendored
library, one 300 KB line): nobody edits it by hand, and advice there is noise."""

from __future__ import annotations

# Hand-written code keeps its lines short; a minifier writes statements end to end.
_LONGEST_WRITTEN = 2_000
_MEAN_WRITTEN = 200


def is_minified(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return False
    longest = max(map(len, lines))
    if longest > _LONGEST_WRITTEN * 5:
        return True
    return longest > _LONGEST_WRITTEN and sum(map(len, lines)) / len(lines) > _MEAN_WRITTEN
