"""The call to the backend-developer agent: ``anthropic.AsyncAnthropic``, the agent body as a
cached system prompt, the forced ``propose_changes`` tool, a timeout and bounded retries.

The SDK reads ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN / ANTHROPIC_BASE_URL from the environment
itself (company gateways and proxies): nothing here overrides them, and the key is never logged,
put in a message or sent anywhere but the API. The SDK is imported on the first call only.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import json
import logging
import os
from dataclasses import dataclass
from typing import Any

from .agent import AgentDefinition
from .agent_answer import AgentAnswer, parse_answer
from .context import AgentContext
from .offline.schema import Schema

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 60.0
DEFAULT_RETRIES = 2
MAX_TOKENS = 8192


class AgentError(Exception):
    """A failed agent call, with one clear message for the user (never the key)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind  # no-key | auth | busy | timeout | network | malformed | refused


def has_credentials() -> bool:
    return bool(os.environ.get("ANTHROPIC_API_KEY") or os.environ.get("ANTHROPIC_AUTH_TOKEN"))


@dataclass(frozen=True)
class AgentCall:
    agent: AgentDefinition
    model: str
    context: AgentContext

    def request(self) -> dict[str, Any]:
        """The Messages API request: tools and system first (the cached prefix), then the code.
        Exactly what is sent, and what ``suggest --agent --dry-run`` prints."""
        from .propose_changes import TOOL_NAME, tool_definition

        return {
            "model": self.model,
            "max_tokens": MAX_TOKENS,
            "system": [
                {
                    "type": "text",
                    "text": self.context.scrub(self.agent.system_prompt),
                    "cache_control": {"type": "ephemeral"},
                }
            ],
            "tools": [tool_definition()],
            "tool_choice": {"type": "tool", "name": TOOL_NAME},
            "messages": [{"role": "user", "content": self.context.prompt()}],
        }

    def cache_key(self) -> str:
        digest = hashlib.sha256()
        for part in (
            self.agent.name,
            self.agent.system_prompt,
            self.model,
            self.context.kind,
            self.context.prompt(),
        ):
            digest.update(part.encode("utf-8"))
            digest.update(b"\x00")
        return digest.hexdigest()


_CACHE: dict[str, dict[str, Any]] = {}  # request hash -> the tool input the agent answered
_CACHE_LIMIT = 256


async def load_sdk() -> Any:
    """Import the anthropic SDK off the event loop (its import takes ~0.3-1 s)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, importlib.import_module, "anthropic")


async def call_agent(
    call: AgentCall,
    schema: Schema,
    roots: list[str],
    timeout: float = DEFAULT_TIMEOUT,
    max_retries: int = DEFAULT_RETRIES,
) -> AgentAnswer:
    if not has_credentials():
        raise AgentError(
            "no-key",
            "No API key: set ANTHROPIC_API_KEY (in VS Code: “subagent-lsp: Set API key”) to ask "
            "the backend-developer agent; the offline engine serves the actions until then.",
        )
    key = call.cache_key()
    raw = _CACHE.get(key)
    if raw is None:
        raw = await _request(call, timeout, max_retries)
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = raw
    from .propose_changes import MalformedAnswer

    try:
        # In a worker: proving the agent's indexes may start a PostgreSQL cluster (seconds).
        return await asyncio.to_thread(parse_answer, raw, call.context, schema, roots)
    except MalformedAnswer as err:
        _CACHE.pop(key, None)
        raise AgentError(
            "malformed", f"The agent's answer was malformed ({err}); nothing was changed."
        ) from err


async def _request(call: AgentCall, timeout: float, max_retries: int) -> dict[str, Any]:
    from .propose_changes import TOOL_NAME

    anthropic = await load_sdk()
    client = anthropic.AsyncAnthropic(timeout=timeout, max_retries=max_retries)
    try:
        message = await client.messages.create(**call.request())
    except anthropic.AuthenticationError as err:
        raise AgentError(
            "auth", "The Anthropic API rejected the credentials (401): check the API key."
        ) from err
    except anthropic.PermissionDeniedError as err:
        raise AgentError("auth", "The Anthropic API refused access to this model (403).") from err
    except (anthropic.RateLimitError, anthropic.InternalServerError) as err:
        status = getattr(err, "status_code", "")
        raise AgentError(
            "busy",
            f"The Anthropic API is busy ({status}) and still was after {max_retries} retries; "
            "try again in a moment.",
        ) from err
    except anthropic.APITimeoutError as err:
        raise AgentError("timeout", f"The agent did not answer within {timeout:g} s.") from err
    except anthropic.APIConnectionError as err:
        raise AgentError("network", "Cannot reach the Anthropic API (network or proxy).") from err
    except anthropic.APIStatusError as err:
        raise AgentError(
            "refused", f"The Anthropic API refused the request ({err.status_code})."
        ) from err
    finally:
        await client.close()
    usage = getattr(message, "usage", None)
    if usage is not None:
        log.info(
            "agent call: %s input tokens (%s cached, %s written to cache), %s output",
            getattr(usage, "input_tokens", "?"),
            getattr(usage, "cache_read_input_tokens", "?"),
            getattr(usage, "cache_creation_input_tokens", "?"),
            getattr(usage, "output_tokens", "?"),
        )
    for block in getattr(message, "content", []) or []:
        if getattr(block, "type", None) == "tool_use" and getattr(block, "name", None) == TOOL_NAME:
            data = block.input
            if isinstance(data, str):
                try:
                    data = json.loads(data)
                except ValueError as err:
                    raise AgentError("malformed", "The agent's answer was not valid JSON.") from err
            if not isinstance(data, dict):
                raise AgentError("malformed", "The agent's answer was not an object.")
            return data
    raise AgentError(
        "malformed", "The agent did not answer with propose_changes; nothing was changed."
    )
