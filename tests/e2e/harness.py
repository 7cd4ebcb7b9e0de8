"""A real subagent-lsp server over stdio, driven synchronously from a background event loop.

For tests that cannot be async themselves (hypothesis property tests) and for benchmarks.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pytest_lsp import client_capabilities

T = TypeVar("T")
SERVER = [sys.executable, "-m", "subagent_lsp", "serve"]


class ServerThread:
    def __init__(self, root_uri: str, client: str = "visual-studio-code") -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.client = LanguageClient("test", "0")
        self.published: dict[str, tuple[int | None, list[types.Diagnostic]]] = {}
        self.waiters: list[tuple[str, int, Future[list[types.Diagnostic]]]] = []

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.published[params.uri] = (params.version, list(params.diagnostics))
            for waiter in list(self.waiters):
                uri, version, fut = waiter
                if uri == params.uri and version == params.version and not fut.done():
                    fut.set_result(list(params.diagnostics))
                    self.waiters.remove(waiter)

        @self.client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register(params: types.RegistrationParams) -> None:
            return None

        @self.client.feature(types.WORKSPACE_CONFIGURATION)
        def configuration(params: types.ConfigurationParams) -> list[Any]:
            return [None for _ in params.items]

        self.run(self.client.start_io(*SERVER))
        caps = client_capabilities(client)
        result = self.run(
            self.client.initialize_async(
                types.InitializeParams(capabilities=caps, root_uri=root_uri)
            )
        )
        self.encoding = result.capabilities.position_encoding or "utf-16"
        self.client.initialized(types.InitializedParams())

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call(self, fn: Any, *args: Any) -> None:
        self.loop.call_soon_threadsafe(fn, *args)

    def open(self, uri: str, text: str, version: int = 1) -> None:
        item = types.TextDocumentItem(uri, "markdown", version, text)
        self.call(self.client.text_document_did_open, types.DidOpenTextDocumentParams(item))

    def close(self, uri: str) -> None:
        ident = types.TextDocumentIdentifier(uri)
        self.call(self.client.text_document_did_close, types.DidCloseTextDocumentParams(ident))

    def change(
        self, uri: str, version: int, changes: list[types.TextDocumentContentChangeEvent]
    ) -> None:
        ident = types.VersionedTextDocumentIdentifier(uri=uri, version=version)
        params = types.DidChangeTextDocumentParams(ident, changes)
        self.call(self.client.text_document_did_change, params)

    def diagnostics(self, uri: str, version: int, timeout: float = 20) -> list[types.Diagnostic]:
        async def wait() -> list[types.Diagnostic]:
            got = self.published.get(uri)
            if got is not None and got[0] == version:
                return got[1]
            fut: Future[list[types.Diagnostic]] = Future()
            self.waiters.append((uri, version, fut))
            return await asyncio.wrap_future(fut)

        return self.run(asyncio.wait_for(wait(), timeout), timeout + 5)

    def request(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.run(coro)

    def stop(self) -> None:
        try:
            self.run(self.client.shutdown_async(None), 10)
            self.client.exit(None)
            self.run(self.client.stop(), 10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)
