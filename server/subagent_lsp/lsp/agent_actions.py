"""The "Ask backend-developer" actions when an API key is configured: the agent is called in
``codeAction/resolve`` (or through a command and ``workspace/applyEdit`` for clients that do not
resolve edits), with progress the user can cancel. Every failure is one clear message and no edit.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from ..definitions.findings import Position
from ..review.agent import AgentDefinition, AgentFileError, bundled_agent_path, load_agent
from ..review.agent_answer import AgentAnswer
from ..review.anthropic_agent import AgentCall, AgentError, call_agent, has_credentials, load_sdk
from ..review.context import build_context, is_secret_file
from ..review.suggestion import Suggestion
from . import convert

if TYPE_CHECKING:
    from .backend import Backend
    from .features import OpenDoc

log = logging.getLogger(__name__)
COMMAND = "subagent-lsp.askBackendDeveloper"
WORKSPACE_AGENT = os.path.join(".claude", "agents", "backend-developer.md")


class AgentActions:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.warned: set[str] = set()
        self.progress_tasks: dict[str, asyncio.Task[Any]] = {}
        self.user_cancelled: set[str] = set()

    @property
    def server(self) -> Any:
        return self.backend.server

    def enabled(self) -> bool:
        return has_credentials() and not self.server.state.settings.offline

    async def prewarm(self) -> None:
        if self.enabled():
            try:
                await load_sdk()
            except Exception:
                log.warning("the anthropic SDK could not be imported")

    # --- the agent definition --------------------------------------------------------------

    def agent(self) -> AgentDefinition:
        settings = self.server.state.settings
        candidates = []
        if settings.agent_file:
            path = settings.agent_file
            if not os.path.isabs(path):
                roots = self.server.roots()
                path = os.path.join(roots[0], path) if roots else path
            candidates.append(path)
        for root in self.server.roots():
            candidates.append(os.path.join(root, WORKSPACE_AGENT))
        for path in candidates:
            if not os.path.isfile(path):
                continue
            try:
                return load_agent(path)
            except (AgentFileError, OSError, UnicodeDecodeError) as err:
                if path not in self.warned:
                    self.warned.add(path)
                    reason = (
                        str(err.findings[0].message)
                        if isinstance(err, AgentFileError) and err.findings
                        else str(err)
                    )
                    self.message(
                        types.MessageType.Warning,
                        f"{path} is not a valid agent ({reason}); using the bundled "
                        "backend-developer instead.",
                    )
        return load_agent(bundled_agent_path())

    def model_for(self, agent: AgentDefinition) -> str:
        """The agent's model as a concrete id; the ``model`` setting overrides it."""
        override = self.server.state.settings.model
        return _alias(override, agent) if override else agent.model_id()

    # --- actions -------------------------------------------------------------------------------

    def actions(
        self, entry: OpenDoc, kinds: dict[str, str], lo: Position, hi: Position
    ) -> list[types.CodeAction]:
        resolve = self._resolves_edits()
        out = []
        for kind, verb in kinds.items():
            data = {
                "kind": kind,
                "uri": entry.uri,
                "version": entry.version,
                "range": [lo.line, lo.column, hi.line, hi.column],
            }
            title = f"Ask backend-developer: {verb}"
            if is_secret_file(entry.path):
                continue
            if resolve:
                out.append(
                    types.CodeAction(
                        title=title, kind=types.CodeActionKind.RefactorRewrite, data=data
                    )
                )
            else:
                out.append(
                    types.CodeAction(
                        title=title,
                        kind=types.CodeActionKind.RefactorRewrite,
                        command=types.Command(title=title, command=COMMAND, arguments=[data]),
                    )
                )
        return out

    def _resolves_edits(self) -> bool:
        text = self.server.caps.text_document
        action = text and text.code_action
        support = action and action.resolve_support
        return bool(support and "edit" in support.properties)

    async def resolve(self, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        edit = await self.run(data)
        if edit is not None:
            action.edit = edit
        return action

    async def execute(self, arguments: Sequence[Any]) -> None:
        data = arguments[0] if arguments and isinstance(arguments[0], dict) else {}
        edit = await self.run(data)
        if edit is None:
            return
        result = await self.server.ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=edit, label="backend-developer")
        )
        if not result.applied:
            self.message(
                types.MessageType.Warning,
                "The editor did not apply backend-developer's edit "
                f"({result.failure_reason or 'refused'}).",
            )

    async def run(self, data: dict[str, Any]) -> types.WorkspaceEdit | None:
        entry = self.server.state.open.get(data.get("uri", ""))
        kind = data.get("kind")
        if entry is None or kind not in ("index", "validation", "error-handling"):
            self.message(types.MessageType.Warning, "That file is no longer open; ask again.")
            return None
        if data.get("version") != entry.version:
            self.message(
                types.MessageType.Warning,
                "The file changed after the action was offered; ask backend-developer again.",
            )
            return None
        lo_line, lo_col, hi_line, hi_col = data.get("range", [0, 0, 0, 0])
        from .backend import scope_of

        scope = scope_of(entry.text, Position(lo_line, lo_col), Position(hi_line, hi_col))
        agent = self.agent()
        model = self.model_for(agent)
        settings = self.server.state.settings
        context = build_context(
            entry.path,
            entry.text,
            scope,
            kind,
            self.backend.schema.schema(),
            settings.context_tokens,
        )
        token = str(uuid.uuid4())
        progress = await self._progress_begin(token, f"Sending {context.describe()} to {model}")
        task = asyncio.ensure_future(
            call_agent(
                AgentCall(agent, model, context),
                self.backend.schema.schema(),
                self.roots(entry),
                timeout=settings.agent_timeout,
                max_retries=settings.agent_retries,
            )
        )
        self.progress_tasks[token] = task
        try:
            answer = await task
        except asyncio.CancelledError:
            task.cancel()  # $/cancelRequest: abort the HTTP call too
            self.message(
                types.MessageType.Info, "backend-developer: cancelled; nothing was changed."
            )
            if token in self.user_cancelled:
                return None  # cancelled from the progress UI: the request itself goes on
            raise
        except AgentError as err:
            self.message(
                types.MessageType.Error if err.kind != "no-key" else types.MessageType.Warning,
                f"backend-developer: {err}",
            )
            return None
        except Exception as err:
            log.exception("agent call failed")
            self.message(
                types.MessageType.Error,
                f"backend-developer failed ({type(err).__name__}); nothing was changed.",
            )
            return None
        finally:
            self.progress_tasks.pop(token, None)
            self.user_cancelled.discard(token)
            if progress:
                self.server.ls.work_done_progress.end(token, types.WorkDoneProgressEnd())
        current = self.server.state.open.get(entry.uri)
        if current is None or current.version != entry.version:
            self.message(
                types.MessageType.Warning,
                "The file changed while backend-developer worked; ask again.",
            )
            return None
        return self._edit(answer)

    def cancel_progress(self, token: str) -> None:
        task = self.progress_tasks.get(str(token))
        if task is not None:
            self.user_cancelled.add(str(token))
            task.cancel()

    def roots(self, entry: OpenDoc) -> list[str]:
        return self.server.roots() or [os.path.dirname(entry.path)]

    def _edit(self, answer: AgentAnswer) -> types.WorkspaceEdit | None:
        if answer.dropped:
            self.message(
                types.MessageType.Warning,
                "backend-developer: some edits were dropped: " + "; ".join(answer.dropped),
            )
        if not answer.suggestions:
            self.message(
                types.MessageType.Info,
                f"backend-developer: {answer.summary or 'no change proposed'} (nothing to apply).",
            )
            return None
        return self.workspace_edit(answer.suggestions)

    def workspace_edit(self, suggestions: Sequence[Suggestion]) -> types.WorkspaceEdit:
        state = self.server.state
        annotations = self._annotations_supported()
        changes: list[Any] = []
        annotation_map: dict[str, types.ChangeAnnotation] = {}
        open_by_path = {e.path: e for e in state.open.values()}
        for index, suggestion in enumerate(suggestions):
            label = f"s{index}"
            proof = ""
            if suggestion.kind == "index":
                proof = (
                    " (index proven on SQLite)"
                    if suggestion.proven
                    else " (index NOT proven on SQLite)"
                )
            annotation_map[label] = types.ChangeAnnotation(
                label=f"backend-developer: {suggestion.title}{proof}",
                needs_confirmation=True,
                description=suggestion.rationale[:2000],
            )
            by_path: dict[str, list[Any]] = {}
            for edit in suggestion.edits:
                if not os.path.exists(edit.path) and edit.path not in open_by_path:
                    changes.append(
                        types.CreateFile(
                            uri=convert.uri_of(edit.path),
                            options=types.CreateFileOptions(
                                overwrite=False, ignore_if_exists=False
                            ),
                            annotation_id=label if annotations else None,
                        )
                    )
                lines = state.lines_for(edit.path) or [""]
                rng = convert.to_range(lines, edit.span, state.codec)
                text_edit: Any = (
                    types.AnnotatedTextEdit(range=rng, new_text=edit.new_text, annotation_id=label)
                    if annotations
                    else types.TextEdit(range=rng, new_text=edit.new_text)
                )
                by_path.setdefault(edit.path, []).append(text_edit)
            for path, edits in by_path.items():
                entry = open_by_path.get(path)
                ident = types.OptionalVersionedTextDocumentIdentifier(
                    uri=entry.uri if entry else convert.uri_of(path),
                    version=entry.version if entry else None,
                )
                changes.append(types.TextDocumentEdit(text_document=ident, edits=edits))
        return types.WorkspaceEdit(
            document_changes=changes,
            change_annotations=annotation_map if annotations else None,
        )

    def _annotations_supported(self) -> bool:
        workspace = self.server.caps.workspace
        edit = workspace and workspace.workspace_edit
        return bool(edit and edit.change_annotation_support)

    async def _progress_begin(self, token: str, message: str) -> bool:
        window = self.server.caps.window
        if not (window and window.work_done_progress):
            return False
        try:
            await self.server.ls.work_done_progress.create_async(token)
        except Exception:
            return False
        self.server.ls.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title="backend-developer", message=message, cancellable=True
            ),
        )
        return True

    def message(self, kind: types.MessageType, text: str) -> None:
        self.server.ls.window_show_message(types.ShowMessageParams(type=kind, message=text))


def _alias(override: str, agent: AgentDefinition) -> str:
    from ..review.agent import AgentDefinition as Definition

    return Definition(
        agent.path, agent.name, agent.description, override, agent.system_prompt
    ).model_id()
