"""Every suggestion of some files applied together, composed by re-analysis.

Each suggestion's edits are computed against the text the analysis saw, so two suggestions of
one file both rewrite the same import line or both add a ``class Meta:`` to the same model;
applied side by side they break the code. Instead of adjusting edits against each other (which
would need to know what every rule's edit means), one suggestion is applied to in-memory texts,
the project is told of the new texts, the file is analysed again, and the next suggestion is
taken from that fresh analysis: its edits are computed against the text it will edit (the
second ``get_object_or_404`` finds the import already there, the second index finds the Meta).

A suggestion is known across analyses by its code, file, title and the text it points at
(positions move as edits land). One whose edit does not make it go away, or whose result does
not parse for the app's Python, is undone and skipped. No LSP types here.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from ...definitions.document import span_text, split_lines
from ...definitions.findings import Position, Span, TextEdit
from ...definitions.fixes import apply_edits
from ...policy import Policy
from ...textfile import read_utf8
from ..project import Projects
from ..suggestion import Suggestion
from .edit_gate import parses
from .engine import analyze
from .indexes import admin_only_dropped, one_per_index

# Each round analyses a file again: a file with hundreds of suggestions is composed up to here
# and the rest said to be not tried, rather than keeping the editor (or CI) waiting.
MAX_ROUNDS = 200

Key = tuple[str, str, str, str, str]
_DEF = re.compile(r"^([ \t]*)(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)")


@dataclass
class Composed:
    """``before``: each changed file's text as it was (None: a file the edits create);
    ``after``: its text with every applied suggestion."""

    before: dict[str, str | None] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)
    applied: list[Suggestion] = field(default_factory=list)
    skipped: list[tuple[Suggestion, str]] = field(default_factory=list)
    # Suggestions that went away with another one's edit (two queries wanting one index).
    resolved: list[Suggestion] = field(default_factory=list)

    def changed(self) -> dict[str, str]:
        """The final text of each file whose text changed."""
        return {p: t for p, t in self.after.items() if t != self.before.get(p)}


def analyze_files(
    projects: Projects,
    files: Iterable[str],
    kinds: Iterable[str] | None = None,
    policy: Policy | None = None,
    texts: Mapping[str, str] | None = None,
    whole: bool = True,
) -> list[Suggestion]:
    """The suggestions of ``files`` as the user configured them (``texts``: the current text
    of files that differ from the disk), one per index across them. ``whole`` False: ``files``
    are part of the project only, so an index none of their public pages wants is kept (the
    files not read may have public sites that want it)."""
    policy = policy or Policy()
    texts = texts or {}
    kinds = list(kinds) if kinds is not None else None
    schema = projects.schemas.schema()
    out: list[Suggestion] = []
    for path in files:
        text = texts.get(os.path.abspath(path))
        if text is None:
            text = read_utf8(path)
        if text is None:
            continue
        found = analyze(path, text, schema, kinds, project=projects.of(path))
        out.extend(policy.apply(path, split_lines(text), found))
    gathered = one_per_index(out)
    return admin_only_dropped(gathered) if whole else gathered


class _Texts:
    """The texts being composed: what each changed file was, and what it is now."""

    def __init__(self, projects: Projects, texts: Mapping[str, str]) -> None:
        self.projects = projects
        self.now = {os.path.abspath(p): t for p, t in texts.items()}
        self.before: dict[str, str | None] = {}

    def text(self, path: str) -> str | None:
        path = os.path.abspath(path)
        if path in self.now:
            return self.now[path]
        return read_utf8(path)

    def set(self, path: str, text: str | None) -> None:
        """``text`` None: the file goes back to not existing (an undone new file)."""
        path = os.path.abspath(path)
        if path not in self.before:
            self.before[path] = self.text(path)
        if text is None:
            self.now.pop(path, None)
            self.projects.closed(path)
            return
        self.now[path] = text
        self.projects.edited(path, text)  # its schema too: an added index is then known


def key_of(suggestion: Suggestion, text: str | None) -> Key:
    """What a suggestion is known by from one analysis to the next."""
    pointed = where = ""
    if text is not None:
        lines = split_lines(text)
        try:
            pointed = span_text(lines, suggestion.span)
        except IndexError:
            pointed = ""
        where = _enclosing_def(lines, suggestion.span.start.line)
    # Up to its first parenthesis: another suggestion's edit inside the same call (the timeout
    # BKD301 adds to ``requests.get(...)``) leaves it the same suggestion (BKD302's 502).
    pointed = pointed.split("(", 1)[0].strip()
    # And the function it is in: one file's two views each calling ``GetProjectData(...)`` get
    # one title and one pointed text, but are two findings (one going away is not the other).
    path = os.path.abspath(suggestion.path)
    return (suggestion.code, path, suggestion.title, pointed, where)


def _enclosing_def(lines: Sequence[str], line: int) -> str:
    """The name of the innermost ``def`` or ``class`` above ``line`` indented less than it (a
    wrapping ``try:`` indents the line further, but leaves it in the same function)."""
    if not 0 <= line < len(lines):
        return ""
    text = lines[line]
    indent = len(text) - len(text.lstrip())
    for above in range(line, -1, -1):
        found = _DEF.match(lines[above])
        if found is not None and len(found.group(1)) < indent:
            return found.group(2)
    return ""


def compose(
    projects: Projects,
    files: Sequence[str],
    kinds: Iterable[str] | None = None,
    policy: Policy | None = None,
    texts: Mapping[str, str] | None = None,
    limit: int = MAX_ROUNDS,
) -> Composed:
    """Every suggestion of ``files`` applied, one at a time, each computed on the texts the
    earlier ones left. ``texts``: open documents' texts, which stand for their files. Files
    are taken in order, each until nothing of it is left to apply."""
    kinds = list(kinds) if kinds is not None else None
    state = _Texts(projects, texts or {})
    for path, text in state.now.items():
        projects.edited(path, text)
    order = list(dict.fromkeys(os.path.abspath(f) for f in files))

    def keyed(found: list[Suggestion]) -> list[tuple[Suggestion, Key]]:
        return [(s, key_of(s, state.text(s.path))) for s in found]

    def fresh(path: str) -> list[tuple[Suggestion, Key]]:
        # One file alone: its index whose public sites are in other files is still its own
        # (an admin page's site of an index the first analysis kept was lost as "resolved").
        return keyed(analyze_files(projects, [path], kinds, policy, state.now, whole=False))

    first = keyed(analyze_files(projects, order, kinds, policy, state.now))
    by_file: dict[str, list[tuple[Suggestion, Key]]] = defaultdict(list)
    for s, key in first:
        by_file[key[1]].append((s, key))
    wanted: Counter[Key] = Counter(key for _, key in first)
    done: Counter[Key] = Counter()  # applied, skipped or gone
    skipped: Counter[Key] = Counter()
    out = Composed()
    # An analysis stays good until a text changes: the one a pick came from is the one its
    # result is compared with, and the next pick's when nothing was applied meanwhile.
    current: dict[str, list[tuple[Suggestion, Key]]] = dict(by_file)
    rounds = 0
    for path in [p for p in order if p in by_file]:
        while True:
            found = current.get(path)
            if found is None:
                found = current[path] = fresh(path)
            pick = _next(found, wanted, done, skipped)
            if pick is None:
                break
            suggestion, key = pick
            seen = sum(1 for _, k in found if k == key)
            why = f"not tried: more than {limit} suggestions"
            if rounds < limit:
                rounds += 1
                broken, undo = _apply(suggestion, state, projects)
                why = broken or "its edit did not make it go away"
                if broken is None:
                    current = {path: fresh(path)}
                    if sum(1 for _, k in current[path] if k == key) < seen:
                        done[key] += 1
                        out.applied.append(suggestion)
                        continue
                    for where, old in undo.items():
                        state.set(where, old)
                    current = {}
            done[key] += 1
            skipped[key] += 1
            out.skipped.append((suggestion, why))
        # What is left of this file's first analysis went away with other suggestions' edits
        # (its pick found none of it in the current text).
        for s, key in by_file[path]:
            if done[key] < wanted[key]:
                done[key] += 1
                out.resolved.append(s)
    if out.resolved:
        _recheck(out, state, projects, order, keyed, kinds, policy, limit - rounds)
    out.before = dict(state.before)
    out.after = {p: state.now[p] for p in state.before if p in state.now}
    return out


def _recheck(
    out: Composed,
    state: _Texts,
    projects: Projects,
    order: list[str],
    keyed: Callable[[list[Suggestion]], list[tuple[Suggestion, Key]]],
    kinds: list[str] | None,
    policy: Policy | None,
    left: int,
) -> None:
    """Resolved only if a fresh analysis of every file no longer finds it: a file analysed
    alone may miss what the whole project has (a site elsewhere keeps an index wanted), and a
    suggestion lost that way would silently drop its edit from the patch. One still found is
    applied from the whole analysis, and judged by it."""

    def whole() -> list[tuple[Suggestion, Key]]:
        return keyed(analyze_files(projects, order, kinds, policy, state.now))

    found = whole()
    claimed = out.resolved
    out.resolved = []
    for gone in claimed:
        key = key_of(gone, state.before.get(os.path.abspath(gone.path), state.text(gone.path)))
        now = [s for s, k in found if k == key]
        if not now:
            out.resolved.append(gone)
            continue
        if left <= 0:
            out.skipped.append((gone, "not tried: too many suggestions"))
            continue
        left -= 1
        broken, undo = _apply(now[0], state, projects)
        if broken is None:
            found = whole()
            if sum(1 for _, k in found if k == key) < len(now):
                out.applied.append(now[0])
                continue
            for where, old in undo.items():
                state.set(where, old)
            found = whole()
        out.skipped.append((now[0], broken or "its edit did not make it go away"))


def _next(
    found: list[tuple[Suggestion, Key]],
    wanted: Counter[Key],
    done: Counter[Key],
    skipped: Counter[Key],
) -> tuple[Suggestion, Key] | None:
    """The first suggestion of an analysis still to apply: of its key, the skipped ones are
    still in the text, first (their edits undone); a key the first analysis did not have is an
    edit's doing, never shown, so never applied."""
    nth: Counter[Key] = Counter()
    for s, key in found:
        nth[key] += 1
        if done[key] < wanted[key] and nth[key] > skipped[key]:
            return s, key
    return None


def _apply(
    suggestion: Suggestion, state: _Texts, projects: Projects
) -> tuple[str | None, dict[str, str | None]]:
    """Applies the suggestion's edits to the texts: why not, when that would break a Python
    file that parsed, and the texts it replaced (to undo it)."""
    by_path: dict[str, list[TextEdit]] = defaultdict(list)
    for edit in suggestion.edits:
        by_path[os.path.abspath(edit.path)].append(TextEdit(edit.span, edit.new_text))
    new: dict[str, str] = {}
    undo: dict[str, str | None] = {}
    for path, edits in by_path.items():
        before = state.text(path)
        after = apply_edits(before or "", edits)
        if path.endswith(".py"):
            version = projects.of(path).target_python()
            if not parses(after, version) and (before is None or parses(before, version)):
                return (
                    f"with the earlier edits it does not parse as Python "
                    f"{version[0]}.{version[1]} in {os.path.basename(path)}",
                    {},
                )
        new[path] = after
        undo[path] = before
    for path, text in new.items():
        state.set(path, text)
    return None, undo


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def line_edits(before: str, after: str) -> list[TextEdit]:
    """Whole-line edits that turn ``before`` into ``after`` (what an editor applies keeps its
    cursor and marks on the lines that did not change, unlike one replacement of the file)."""
    old, new = _LINE.findall(before), _LINE.findall(after)
    out = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            span = Span(Position(i1, 0), Position(i2, 0))
            out.append(TextEdit(span, "".join(new[j1:j2])))
    return out
