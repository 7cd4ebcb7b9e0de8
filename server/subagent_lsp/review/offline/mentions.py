"""Which names the project's files mention, to tell a function nobody calls (an index for a
query only dead code runs was judged noise on a real app).

Counted as words, not resolved: a mention in a template, a string (``getattr``) or a config
file keeps a function alive. A name the project's sources (tests left out: what only a test
calls, the app never runs) write only in ``def`` lines is dead.

``elsewhere`` also reads what ``count`` leaves out (tests, migrations, the other languages'
code, docs, Procfiles): a top-level function only a test calls may be a package's API.
"""

from __future__ import annotations

import ast
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable

from .file_memo import FileMemo
from .project_tree import files_under, folders
from .pysource import Source, dotted
from .treesitter import language_of

# Files that may call a function by name: code, templates, the configs that name entry points.
_SUFFIXES = (
    *(".py", ".html", ".htm", ".jinja", ".jinja2", ".j2"),
    *(".toml", ".cfg", ".ini", ".yml", ".yaml", ".json"),
)
# What else may name a function: another language's code calling an endpoint by name, the docs
# of a package's API, the shell lines and Procfiles that start an app factory.
_OTHER_SUFFIXES = (
    *(".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".vue", ".svelte", ".go"),
    *(".md", ".rst", ".txt", ".sh", ".env", ".conf", ".xml", ".tmpl", ".jinja"),
)
_OTHER_NAMES = frozenset({"Procfile", "Makefile", "Dockerfile", "Justfile"})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DEF = re.compile(r"\bdef\s+([A-Za-z_][A-Za-z0-9_]*)")
MAX_FILES = 5000
MAX_BYTES = 1_000_000


def mention_files(root: str, is_source: Callable[[str], bool]) -> Iterable[str]:
    count = 0
    for path in files_under(root, _SUFFIXES):
        if is_source(path):
            count += 1
            if count > MAX_FILES:
                return
            yield path


def _family(path: str) -> str | None:
    """The language whose code may call a function of ``path`` (a skipped file of it leaves
    the function's callers unknown)."""
    if path.endswith(".py"):
        return "py"
    if path.endswith((".vue", ".svelte")):
        return "js"
    language = language_of(path)
    return None if language is None else "go" if language == "go" else "js"


def _all_files(root: str, is_source: Callable[[str], bool]) -> tuple[list[str], bool]:
    """Every file ``elsewhere`` reads but the sources, and whether the walk stopped short."""
    out: list[str] = []
    for folder, names in folders(root):
        for name in names:
            path = os.path.join(folder, name)
            if name.endswith(_SUFFIXES) and is_source(path):
                continue
            if name.endswith(_SUFFIXES + _OTHER_SUFFIXES) or name in _OTHER_NAMES:
                out.append(os.path.abspath(path))
                if len(out) > MAX_FILES:
                    return out, True
    return out, False


class Mentions:
    """Word counts of every file under a root, re-read per file by its mtime; open documents'
    texts (``texts``) stand for their files."""

    def __init__(
        self, root: str, texts: Callable[[], dict[str, str]], is_source: Callable[[str], bool]
    ) -> None:
        self.root = root
        self.texts = texts
        self.is_source = is_source
        self._files = FileMemo(lambda _path, text: words_of(text), MAX_BYTES)
        self._total: Counter[str] | None = None
        self._by_file: dict[str, Counter[str]] | None = None
        self._sources_cut = False
        # What ``elsewhere`` reads: every file's words added up, and the families whose
        # callers may be missed (a file too big to read; all of them when a walk stopped).
        self._everywhere: Counter[str] | None = None
        self._others: dict[str, Counter[str]] = {}
        self._unread: set[str | None] = set()
        # name -> the files that write it: every module's analysis asks of the same names
        # (the handlers' registrations, the app's constructors), each a pass over every file
        self._with: dict[str, list[str]] = {}

    def forget(self) -> None:
        self._total = None
        self._by_file = None
        self._everywhere = None
        self._others = {}
        self._unread = set()
        self._with = {}

    def count(self, name: str) -> int:
        """How often ``name`` is written outside ``def`` lines."""
        if self._total is None:
            total: Counter[str] = Counter()
            for words in self._files_words().values():
                total.update(words)
            self._total = total
        return self._total[name]

    def files_with(self, name: str) -> list[str]:
        """The files that write ``name`` outside ``def`` lines."""
        memo = self._with  # the one ``forget`` replaces: an answer read before it goes with it
        found = memo.get(name)
        if found is None:
            by_file = self._files_words()
            found = memo[name] = [path for path, words in by_file.items() if words[name] > 0]
        return list(found)

    def elsewhere(self, name: str, path: str) -> int | None:
        """How often every file of the project but ``path`` writes ``name`` outside ``def``
        lines, tests and docs included; None when a file that may call it went unread."""
        path = os.path.abspath(path)
        by_file = self._files_words()
        if self._everywhere is None:
            everywhere: Counter[str] = Counter()
            for words in by_file.values():
                everywhere.update(words)
            texts = self.texts()
            others, cut = _all_files(self.root, self.is_source)
            if cut or self._sources_cut:
                self._unread.update(("py", "js", "go"))
            for other in others:
                read = self._words(other, texts)
                if read is None:
                    self._unread.add(_family(other))
                else:
                    self._others[other] = read
                    everywhere.update(read)
            self._everywhere = everywhere
        if _family(path) in self._unread:
            return None
        own = by_file.get(path, self._others.get(path))
        return self._everywhere[name] - (own[name] if own is not None else 0)

    def _files_words(self) -> dict[str, Counter[str]]:
        if self._by_file is None:
            by_file: dict[str, Counter[str]] = {}
            texts = self.texts()
            count = 0
            for path in mention_files(self.root, self.is_source):
                count += 1
                path = os.path.abspath(path)
                words = self._words(path, texts)
                if words is None:
                    self._unread.add(_family(path))
                else:
                    by_file[path] = words
            self._sources_cut = count >= MAX_FILES
            self._by_file = by_file
        return self._by_file

    def _words(self, path: str, texts: dict[str, str]) -> Counter[str] | None:
        if path in texts:
            return words_of(texts[path])
        return self._files.get(path)


def words_of(text: str) -> Counter[str]:
    words = Counter(_WORD.findall(text))
    words.subtract(_DEF.findall(text))
    return words


# A model's bases (Flask-SQLAlchemy's ``db.Model``, Django's ``models.Model``, a declarative
# ``Base``) and the methods frameworks call on a model by name.
_MODEL_BASES = frozenset({"Model", "Base", "DeclarativeBase", "SQLModel"})
_MODEL_HOOKS = frozenset(
    {"save", "delete", "clean", "full_clean", "clean_fields", "validate_unique",
     "get_absolute_url", "natural_key", "get_by_natural_key", "refresh_from_db",
     "to_dict", "serialize", "as_dict", "get_id", "is_authenticated", "is_active",
     "is_anonymous", "check_password", "set_password", "has_perm", "has_perms",
     "has_module_perms", "get_username", "get_full_name", "get_short_name"}
)  # fmt: skip


def dead_functions(source: Source, count: Callable[[str], int]) -> list[tuple[int, int]]:
    """0-based line ranges of the methods of the module's query classes (``class
    ProjectQuery(BaseQuery)``, also nested in its model) and of its models (``User.by_email``,
    a classmethod, or ``Channel.last_event``) whose name the project writes only in ``def``
    lines; not dunder, undecorated but for ``classmethod``/``staticmethod``, and not a hook a
    framework calls by name on a model (``save``, ``clean``, ``get_absolute_url``). Those are
    the app's own lookup helpers. Methods of other classes may be hooks a framework calls by
    name (``clean``, ``get``): they are left alone; top-level functions are unreferenced.py's."""
    out: list[tuple[int, int]] = []
    for module in source.modules:
        candidates: list[ast.stmt] = []
        for node in module.body:
            if isinstance(node, ast.ClassDef):
                for cls in [node, *(c for c in node.body if isinstance(c, ast.ClassDef))]:
                    if any(dotted(b).endswith("Query") for b in cls.bases):
                        candidates.extend(cls.body)
                if any(dotted(b).rsplit(".", 1)[-1] in _MODEL_BASES for b in node.bases):
                    candidates.extend(
                        n
                        for n in node.body
                        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
                        and n.name not in _MODEL_HOOKS
                    )
        for node in candidates:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            decorators = {dotted(d) for d in node.decorator_list}
            if decorators - {"classmethod", "staticmethod"} or node.name.startswith("__"):
                continue
            if count(node.name) <= 0:
                out.append((node.lineno - 1, (node.end_lineno or node.lineno) - 1))
    return out
