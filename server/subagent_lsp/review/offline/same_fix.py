"""One suggestion per distinct fix: two findings of one rule whose edits are the same.

Four ``commit()`` calls in one ``try`` each found the handler that swallows their error, and
each proposed the same ``rollback()`` at the top of that handler: four diagnostics for one
edit were judged noise (``--diff`` already applied it once). The first finding is kept and
names the other sites; index proposals have their own merging (indexes.one_per_index).
"""

from __future__ import annotations

import os
from dataclasses import replace

from ..suggestion import Suggestion

ALSO = "The same edit also fixes:"


def one_per_fix(suggestions: list[Suggestion]) -> list[Suggestion]:
    """``suggestions`` (in order) without a later one of the same code and the same edits as
    an earlier one; the earlier one's rationale lists the later ones' lines."""
    kept_at: dict[tuple[object, ...], int] = {}
    out: list[Suggestion] = []
    more: dict[int, list[str]] = {}
    for s in suggestions:
        if s.code == "BKD101" or not s.edits:
            out.append(s)
            continue
        key = (s.code, *((e.path, e.span, e.new_text) for e in s.edits))
        at = kept_at.get(key)
        if at is None:
            kept_at[key] = len(out)
            out.append(s)
            continue
        more.setdefault(at, []).append(f"{os.path.basename(s.path)}:{s.span.start.line + 1}")
    for at, sites in more.items():
        listed = ", ".join(dict.fromkeys(sites))
        out[at] = replace(out[at], rationale=f"{out[at].rationale}\n{ALSO} {listed}.")
    return out
