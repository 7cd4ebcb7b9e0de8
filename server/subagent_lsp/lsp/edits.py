"""The one WorkspaceEdit builder: quick fixes, fix-all, backend suggestions, the agent's answers
and renames all go through it.

Each document's edits are bound to the version they were computed for, so a client refuses
them once the document has changed; a file that is not open is edited on disk (no version).
Files to create come first, files to rename last (their edits address the old names).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from lsprotocol import types

from ..definitions.findings import Fix, Span
from ..review.describe import edit_label
from ..review.suggestion import Suggestion
from . import convert
from .state import OpenDoc, State


class EditBuilder:
    def __init__(self, state: State, pinned: OpenDoc | None = None, annotate: bool = False):
        """``pinned``: a document the edits were computed on, open or read from disk for one
        request; ``annotate``: the client asks the user to confirm annotated changes."""
        self.state = state
        self.docs = state.by_path()
        if pinned is not None:
            self.docs[pinned.path] = pinned
        self.annotate = annotate
        self.annotations: dict[str, types.ChangeAnnotation] = {}
        self.creates: list[types.CreateFile] = []
        self.edits: dict[str, list[types.TextEdit | types.AnnotatedTextEdit]] = {}
        self.renames: list[types.RenameFile] = []

    def annotation(self, label: str, description: str) -> str | None:
        """A change annotation the user confirms; its id, or None when the client has none."""
        if not self.annotate:
            return None
        key = f"s{len(self.annotations)}"
        self.annotations[key] = types.ChangeAnnotation(
            label=label, needs_confirmation=True, description=description
        )
        return key

    def replace(self, path: str, span: Span, text: str, annotation: str | None = None) -> None:
        doc = self.docs.get(path)
        lines = doc.lines if doc is not None else (self.state.lines_for(path) or [""])
        rng = convert.to_range(lines, span, self.state.codec)
        edit: types.TextEdit | types.AnnotatedTextEdit = (
            types.AnnotatedTextEdit(range=rng, new_text=text, annotation_id=annotation)
            if annotation is not None
            else types.TextEdit(range=rng, new_text=text)
        )
        self.edits.setdefault(path, []).append(edit)

    def create(self, path: str, annotation: str | None = None) -> None:
        if any(c.uri == convert.uri_of(path) for c in self.creates):
            return
        self.creates.append(
            types.CreateFile(
                uri=convert.uri_of(path),
                options=types.CreateFileOptions(overwrite=False, ignore_if_exists=False),
                annotation_id=annotation,
            )
        )

    def rename(self, old: str, new: str) -> None:
        self.renames.append(
            types.RenameFile(
                old_uri=convert.uri_of(old),
                new_uri=convert.uri_of(new),
                options=types.RenameFileOptions(overwrite=False, ignore_if_exists=False),
            )
        )

    def fix(self, path: str, fix: Fix) -> EditBuilder:
        for e in fix.edits:
            self.replace(path, e.span, e.new_text)
        return self

    def suggestions(self, suggestions: Iterable[Suggestion]) -> EditBuilder:
        """Each suggestion's edits under its own annotation; a new file (a migration) created."""
        for s in suggestions:
            label = self.annotation(edit_label(s), s.rationale[:2000])
            for edit in s.edits:
                if not os.path.exists(edit.path) and edit.path not in self.docs:
                    self.create(edit.path, label)
                self.replace(edit.path, edit.span, edit.new_text, label)
        return self

    def build(self) -> types.WorkspaceEdit:
        changes: list[Any] = list(self.creates)
        for path, edits in self.edits.items():
            doc = self.docs.get(path)
            ident = types.OptionalVersionedTextDocumentIdentifier(
                uri=doc.uri if doc is not None else convert.uri_of(path),
                version=doc.version if doc is not None else None,
            )
            changes.append(types.TextDocumentEdit(text_document=ident, edits=edits))
        changes.extend(self.renames)
        return types.WorkspaceEdit(
            document_changes=changes, change_annotations=self.annotations or None
        )
