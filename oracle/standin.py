"""A stand-in for the Anthropic Messages API on 127.0.0.1, just enough for Claude Code's CLI.

Claude Code streams (``"stream": true``), so answers are Server-Sent Events in the Messages API's
format: ``message_start``, one ``content_block_start`` / ``content_block_delta`` /
``content_block_stop`` per block, ``message_delta``, ``message_stop``.

The script is tiny and fixed:

* the main session's first request is recorded; when a probe agent is set, the answer is one
  ``Agent`` tool_use for that agent (``run_in_background: false``), so Claude Code spawns it and
  sends the subagent's own request (its model and tools are what the agent really gets);
* every other request gets a one-word text answer, ``end_turn``;
* a request for a model the API would not know is answered the way the real API answers it, a 404
  ``not_found_error`` naming the model, so an agent with a misspelt ``model`` fails at spawn as it
  would for real.

The logic is a minimal copy of the ideas in tests/standin.py (the oracle imports nothing from the
tests or the server).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PROBE_PROMPT = "ORACLE-PROBE: reply with one word."
PROBE_TOOL_USE_ID = "toolu_oracle_probe"


def _events(model: str, blocks: list[dict[str, Any]], stop_reason: str) -> bytes:
    out: list[str] = []

    def event(name: str, data: dict[str, Any]) -> None:
        out.append(f"event: {name}\ndata: {json.dumps(data)}\n\n")

    event(
        "message_start",
        {
            "type": "message_start",
            "message": {
                "id": "msg_oracle",
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {"input_tokens": 10, "output_tokens": 1},
            },
        },
    )
    for index, block in enumerate(blocks):
        start: dict[str, Any]
        delta: dict[str, Any]
        if block["type"] == "text":
            start = {"type": "text", "text": ""}
            delta = {"type": "text_delta", "text": block["text"]}
        else:
            start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
        event(
            "content_block_start",
            {"type": "content_block_start", "index": index, "content_block": start},
        )
        event(
            "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
        )
        event("content_block_stop", {"type": "content_block_stop", "index": index})
    event(
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": None},
            "usage": {"output_tokens": 5},
        },
    )
    event("message_stop", {"type": "message_stop"})
    return "".join(out).encode()


def request_text(body: dict[str, Any]) -> str:
    """All text of a request: system blocks and every message's text blocks, in order."""
    parts: list[str] = []
    system = body.get("system")
    if isinstance(system, str):
        parts.append(system)
    elif isinstance(system, list):
        parts.extend(b.get("text", "") for b in system if isinstance(b, dict))
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            for block in content:
                if isinstance(block, dict) and block.get("type") == "text":
                    parts.append(block.get("text", ""))
    return "\n".join(parts)


def is_subagent_request(body: dict[str, Any]) -> bool:
    """The subagent's own request: Claude Code marks it in the billing header block, and its
    first user message is our probe prompt."""
    system = body.get("system")
    head = json.dumps(system)[:2000] if system is not None else ""
    if "cc_is_subagent=true" in head:
        return True
    messages = body.get("messages") or []
    if messages:
        first = messages[0].get("content")
        if first == PROBE_PROMPT:
            return True
        if isinstance(first, list) and any(
            isinstance(b, dict) and b.get("text") == PROBE_PROMPT for b in first
        ):
            return True
    return False


def _has_tool_result(body: dict[str, Any]) -> bool:
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, list) and any(
            isinstance(b, dict) and b.get("type") == "tool_result" for b in content
        ):
            return True
    return False


@dataclass
class StandIn:
    """One stand-in per Claude Code run; ``requests`` holds every POST body, in order."""

    model_known: Callable[[str], bool]
    # Given the main session's first request, the agent to spawn (None: do not spawn).
    probe: Callable[[dict[str, Any]], str | None] | None = None
    probed: str | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # paths of anything else asked for
    server: ThreadingHTTPServer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}"

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, str, bytes]:
        if path.split("?")[0].endswith("/count_tokens"):
            return 200, "application/json", json.dumps({"input_tokens": 100}).encode()
        model = str(body.get("model", ""))
        if not self.model_known(model):
            error = {
                "type": "error",
                "error": {"type": "not_found_error", "message": f"model: {model}"},
            }
            return 404, "application/json", json.dumps(error).encode()
        subagent = is_subagent_request(body)
        agent = None
        if (
            self.probe is not None
            and self.probed is None
            and not subagent
            and not _has_tool_result(body)
        ):
            agent = self.probe(body)
        if agent is not None:
            self.probed = agent
            blocks: list[dict[str, Any]] = [
                {
                    "type": "tool_use",
                    "id": PROBE_TOOL_USE_ID,
                    "name": "Agent",
                    "input": {
                        "description": "oracle probe",
                        "prompt": PROBE_PROMPT,
                        "subagent_type": agent,
                        "run_in_background": False,
                    },
                }
            ]
            stop = "tool_use"
        else:
            blocks = [{"type": "text", "text": "ok"}]
            stop = "end_turn"
        if body.get("stream"):
            return 200, "text/event-stream", _events(model, blocks, stop)
        message = {
            "id": "msg_oracle",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": blocks,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 5},
        }
        return 200, "application/json", json.dumps(message).encode()

    def start(self) -> StandIn:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return

            def _reply(self, status: int, ctype: str, data: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("content-type", ctype)
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self) -> None:
                with outer.lock:
                    outer.other.append(f"{self.command} {self.path}")
                self._reply(404, "application/json", b"{}")

            do_HEAD = do_GET
            do_PUT = do_GET
            do_DELETE = do_GET

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                if not self.path.split("?")[0].endswith("/v1/messages") and not self.path.split(
                    "?"
                )[0].endswith("/count_tokens"):
                    with outer.lock:
                        outer.other.append(f"POST {self.path}")
                    self._reply(404, "application/json", b"{}")
                    return
                with outer.lock:
                    outer.requests.append({"path": self.path, "body": body})
                    status, ctype, data = outer.answer(self.path, body)
                    outer.requests[-1]["status"] = status
                self._reply(status, ctype, data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
