"""The "Ask backend-developer" actions when the agent is called (an API key, not offline): the
call happens in ``codeAction/resolve``, or through a command and ``workspace/applyEdit`` for
clients that do not resolve edits, with progress the user can cancel. Which agent, model and
options are used is the review domain's answer (agent_setup), the same as ``suggest --agent``'s.
Every failure is one clear message and no edit.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types

from ..definitions.findings import Position
from ..review.agent_answer import AgentAnswer
from ..review.agent_setup import AgentSetup, AgentUnavailable, agent_enabled, setup_agent
from ..review.anthropic_agent import AgentError, load_sdk
from ..review.describe import ASK_VERBS
from ..review.exclusions import is_secret_file
from ..review.offline.engine import is_backend_file
from ..review.scope import scope_of
from ..review.secrets import load_catalogue
from . import convert
from .commands import ASK_COMMAND
from .edits import EditBuilder
from .feature import Client, LanguageFeature, wants
from .state import State

log = logging.getLogger(__name__)
REQUEST_FILE = "subagent-lsp-last-agent-request.json"


def write_request_file(request: dict[str, Any], folder: str) -> str:
    """The request as JSON in ``folder`` (a private temporary one), made read-only."""
    import json

    path = os.path.join(folder, REQUEST_FILE)
    if os.path.exists(path):
        os.chmod(path, 0o600)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(request, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    os.chmod(path, 0o400)
    return path


ASK_KIND = types.CodeActionKind.RefactorRewrite


class AgentActions(LanguageFeature):
    def __init__(self, state: State, client: Client) -> None:
        super().__init__(state, client)
        self.warned: set[str] = set()  # each passed-over agent file is reported once
        self.progress_tasks: dict[str, asyncio.Task[Any]] = {}
        self.user_cancelled: set[str] = set()
        self.prewarm: asyncio.Task[None] | None = None
        self.last_request: dict[str, Any] | None = None  # as sent, secrets as placeholders
        self.request_folder: str | None = None  # made on first use, only its owner reads it

    def enabled(self) -> bool:
        return agent_enabled(self.state.settings)

    async def initialized(self) -> None:
        self.prewarm = asyncio.ensure_future(self._prewarm())

    async def _prewarm(self) -> None:
        if self.enabled():
            try:
                await load_sdk()
            except Exception:
                log.warning("the anthropic SDK could not be imported")

    # --- actions -------------------------------------------------------------------------

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        entry = self.state.open.get(params.text_document.uri)
        only = [str(k) for k in params.context.only or []]
        if (
            entry is None
            or entry.kind is not None
            or not is_backend_file(entry.path)
            or is_secret_file(entry.path)
            or not wants(only, ASK_KIND.value, "refactor")
            or not self.enabled()
        ):
            return None
        lo = convert.from_position(entry.lines, params.range.start, self.state.codec)
        hi = convert.from_position(entry.lines, params.range.end, self.state.codec)
        resolve = self.client.resolves_edits()
        out = []
        for kind, verb in ASK_VERBS.items():
            data = {
                "kind": kind,
                "uri": entry.uri,
                "version": entry.version,
                "range": [lo.line, lo.column, hi.line, hi.column],
            }
            title = f"Ask backend-developer: {verb}"
            if resolve:
                out.append(types.CodeAction(title=title, kind=ASK_KIND, data=data))
            else:
                command = types.Command(title=title, command=ASK_COMMAND, arguments=[data])
                out.append(types.CodeAction(title=title, kind=ASK_KIND, command=command))
        return out

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
        result = await self.client.ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=edit, label="backend-developer")
        )
        if not result.applied:
            self.client.show(
                types.MessageType.Warning,
                "The editor did not apply backend-developer's edit "
                f"({result.failure_reason or 'refused'}).",
            )

    async def show_last_request(self) -> dict[str, Any] | None:
        """Open the last request as a read-only JSON document (a file only its owner can read,
        that nobody can write), and return it for clients that show it themselves."""
        if self.last_request is None:
            self.client.show(
                types.MessageType.Info, "backend-developer has not been asked anything yet."
            )
            return None
        if self.request_folder is None:
            import tempfile

            self.request_folder = tempfile.mkdtemp(prefix="subagent-lsp-")
        path = write_request_file(self.last_request, self.request_folder)
        try:
            await self.client.ls.window_show_document_async(
                types.ShowDocumentParams(uri=Path(path).as_uri(), take_focus=True)
            )
        except Exception:
            self.client.show(types.MessageType.Info, f"The last request to the agent: {path}")
        return self.last_request

    def cancel_progress(self, token: str) -> None:
        task = self.progress_tasks.get(str(token))
        if task is not None:
            self.user_cancelled.add(str(token))
            task.cancel()

    # --- the call ------------------------------------------------------------------------

    def setup(self) -> AgentSetup | None:
        try:
            setup = setup_agent(self.state.settings, self.state.roots())
        except AgentUnavailable as err:
            self.client.show(types.MessageType.Error, f"backend-developer: {err}.")
            return None
        for warning in setup.warnings:
            if warning not in self.warned:
                self.warned.add(warning)
                self.client.show(types.MessageType.Warning, warning)
        return setup

    async def run(self, data: dict[str, Any]) -> types.WorkspaceEdit | None:
        entry = self.state.open.get(data.get("uri", ""))
        kind = data.get("kind")
        if entry is None or kind not in ASK_VERBS:
            self.client.show(types.MessageType.Warning, "That file is no longer open; ask again.")
            return None
        if data.get("version") != entry.version:
            self.client.show(
                types.MessageType.Warning,
                "The file changed after the action was offered; ask backend-developer again.",
            )
            return None
        setup = self.setup()
        if setup is None:
            return None
        why = setup.excluded(entry.path)
        if why is not None:
            self.client.show(
                types.MessageType.Warning,
                f"backend-developer: {os.path.basename(entry.path)} is never sent ({why}).",
            )
            return None
        lo_line, lo_col, hi_line, hi_col = data.get("range", [0, 0, 0, 0])
        scope = scope_of(
            entry.text, Position(lo_line, lo_col), Position(hi_line, hi_col), entry.path
        )
        schema = self.state.schema.schema()
        # The secret catalogue's first import takes about half a second: off the event loop.
        await asyncio.get_running_loop().run_in_executor(None, load_catalogue)
        project = self.state.projects.of(entry.path)
        context = setup.context(entry.path, entry.text, scope, kind, schema, project)
        self.last_request = setup.request(context)
        token = str(uuid.uuid4())
        progress = await self._progress_begin(
            token, f"Sending {context.describe()} to {setup.model}"
        )
        roots = self.state.roots() or [os.path.dirname(entry.path)]
        task = asyncio.ensure_future(setup.ask(context, schema, roots))
        self.progress_tasks[token] = task
        try:
            answer = await task
        except asyncio.CancelledError:
            task.cancel()  # $/cancelRequest: abort the HTTP call too
            self.client.show(
                types.MessageType.Info, "backend-developer: cancelled; nothing was changed."
            )
            if token in self.user_cancelled:
                return None  # cancelled from the progress UI: the request itself goes on
            raise
        except AgentError as err:
            self.client.show(
                types.MessageType.Error if err.kind != "no-key" else types.MessageType.Warning,
                f"backend-developer: {err}",
            )
            return None
        except Exception as err:
            log.exception("agent call failed")
            self.client.show(
                types.MessageType.Error,
                f"backend-developer failed ({type(err).__name__}); nothing was changed.",
            )
            return None
        finally:
            self.progress_tasks.pop(token, None)
            self.user_cancelled.discard(token)
            if progress:
                self.client.ls.work_done_progress.end(token, types.WorkDoneProgressEnd())
        current = self.state.open.get(entry.uri)
        if current is None or current.version != entry.version:
            self.client.show(
                types.MessageType.Warning,
                "The file changed while backend-developer worked; ask again.",
            )
            return None
        return self._edit(answer)

    def _edit(self, answer: AgentAnswer) -> types.WorkspaceEdit | None:
        if answer.dropped:
            self.client.show(
                types.MessageType.Warning,
                "backend-developer: some edits were dropped: " + "; ".join(answer.dropped),
            )
        if not answer.suggestions:
            self.client.show(
                types.MessageType.Info,
                f"backend-developer: {answer.summary or 'no change proposed'} (nothing to apply).",
            )
            return None
        edits = EditBuilder(self.state, annotate=self.client.annotates_changes())
        return edits.suggestions(answer.suggestions).build()

    async def _progress_begin(self, token: str, message: str) -> bool:
        if not self.client.shows_progress():
            return False
        progress = self.client.ls.work_done_progress
        try:
            await progress.create_async(token)
        except Exception:
            return False
        progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title="backend-developer", message=message, cancellable=True
            ),
        )
        return True
