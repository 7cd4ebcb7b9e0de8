"""Waiting on the server's notifications instead of sleeping: each helper checks what has
arrived, then waits for the next notification of its kind, until the condition holds."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from lsprotocol import types
from pytest_lsp import LanguageClient

T = TypeVar("T")
TIMEOUT = 30.0


async def notified(
    client: LanguageClient, method: str, check: Callable[[], T | None], timeout: float = TIMEOUT
) -> T:
    """``check()``'s first answer that is not None, re-asked after each ``method``
    notification. The client handles a notification before the waiter wakes, so what the
    notification carried is already in the client's records."""

    async def wait() -> T:
        while (found := check()) is None:
            await client.wait_for_notification(method)
        return found

    try:
        return await asyncio.wait_for(wait(), timeout)
    except TimeoutError:
        raise AssertionError(f"no {method} made the condition true within {timeout:g} s") from None


def index_builds(client: LanguageClient) -> int:
    """How many times the server has said it (re)built its workspace index."""
    return sum(1 for m in client.log_messages if "subagent-lsp: indexed" in m.message)


async def indexed(client: LanguageClient, builds: int = 1) -> None:
    """Until the workspace index has been built ``builds`` times (each build logs a line)."""
    await notified(
        client,
        types.WINDOW_LOG_MESSAGE,
        lambda: True if index_builds(client) >= builds else None,
    )


async def pushed(
    client: LanguageClient,
    uri: str,
    ready: Callable[[list[types.Diagnostic]], bool] = lambda items: True,
) -> list[types.Diagnostic]:
    """The diagnostics last pushed for ``uri``, once ``ready`` holds for them."""

    def check() -> list[types.Diagnostic] | None:
        items = client.diagnostics.get(uri)
        return list(items) if items is not None and ready(list(items)) else None

    return await notified(client, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, check)
