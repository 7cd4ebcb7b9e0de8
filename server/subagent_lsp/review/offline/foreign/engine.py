"""The offline engine for JS/TS and Go files: one parse with tree-sitter, then the index
queries (proven on SQLite) and the language's validation and error-handling checks. As in the
Python engine, a failure in one analysis costs only its own suggestions."""

from __future__ import annotations

import logging

from ...suggestion import Suggestion
from ..queries import FoundQuery
from ..schema import Schema
from ..treesitter import language_of, parse
from .indexes import foreign_index_suggestions
from .project import is_vendored, manifest_folder

log = logging.getLogger(__name__)


def is_foreign_source(path: str) -> bool:
    return language_of(path) is not None


def foreign_queries(path: str, text: str, schema: Schema) -> list[FoundQuery]:
    """The queries of a JS/TS or Go text (an agent's scope): what its index edits must speed up."""
    tree = parse(path, text)
    if tree is None:
        return []
    if tree.language == "go":
        from ..golang.queries import go_queries

        return go_queries(tree, schema)
    from ..js.queries import js_queries

    return js_queries(tree, schema)


def analyze_foreign(path: str, text: str, schema: Schema, wanted: set[str]) -> list[Suggestion]:
    language = language_of(path)
    if language is None:
        return []
    manifest = "go.mod" if language == "go" else "package.json"
    if is_vendored(path, manifest_folder(path, manifest)):
        return []
    try:
        tree = parse(path, text)
    except Exception:
        log.exception("tree-sitter could not read %s", path)
        return []
    if tree is None:
        return []
    out: list[Suggestion] = []
    if "index" in wanted:
        try:
            found = foreign_queries(path, text, schema)
            out.extend(foreign_index_suggestions(found, schema, path))
        except Exception:
            log.exception("index analysis failed for %s", path)
    try:
        if language == "go":
            from ..golang.checks import go_suggestions
            from ..golang.facts import go_facts

            out.extend(go_suggestions(go_facts(tree), wanted))
        else:
            from ..js.checks import js_suggestions
            from ..js.facts import js_facts

            out.extend(js_suggestions(js_facts(tree), wanted))
    except Exception:
        log.exception("handler analysis failed for %s", path)
    return out
