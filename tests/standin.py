"""A stand-in for the Anthropic Messages API on 127.0.0.1, for tests and benchmarks.

The real ``anthropic`` SDK is pointed at it with ``base_url`` / ANTHROPIC_BASE_URL. Each request
is recorded; each answer follows a script (status, tool input, delay) so tests can play success,
529-then-success, 401, timeouts, malformed answers and slow calls to cancel.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_DELAY = 10.0  # a stand-in never holds a connection longer than this


@dataclass
class Reply:
    status: int = 200
    tool_input: Any = None  # None: ask ``answer`` to build it from the request
    delay: float = 0.0
    raw: dict[str, Any] | None = None  # a whole response body (for malformed answers)


@dataclass
class StandIn:
    answer: Callable[[dict[str, Any]], Any] = lambda body: {"summary": "nothing", "suggestions": []}
    script: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for_requests(self, count: int, timeout: float = 60.0) -> bool:
        """Block until ``count`` requests have arrived (a call is in flight); False on timeout.
        Generous: a server's first call waits for the SDK's import, slow on a busy machine."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.requests) >= count, timeout)

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> StandIn:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with outer.arrived:
                    outer.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                    outer.arrived.notify_all()
                if self.path.endswith("/count_tokens"):
                    text = json.dumps(body)
                    self._send(200, {"input_tokens": int(len(text) / 3.5)})
                    return
                reply = outer.script.pop(0) if outer.script else Reply()
                outer.requests[-1]["reply"] = reply
                outer.requests[-1]["time"] = time.monotonic()
                if reply.delay:
                    time.sleep(min(reply.delay, MAX_DELAY))
                if reply.status != 200:
                    error = {
                        "type": "error",
                        "error": {"type": _error_type(reply.status), "message": "stand-in"},
                    }
                    self._send(reply.status, error)
                    return
                if reply.raw is not None:
                    self._send(200, reply.raw)
                    return
                tool_input = (
                    reply.tool_input if reply.tool_input is not None else outer.answer(body)
                )
                self._send(200, message(body.get("model", "claude"), tool_input))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout or a cancellation): that is the test

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def _error_type(status: int) -> str:
    return {401: "authentication_error", 429: "rate_limit_error", 529: "overloaded_error"}.get(
        status, "api_error"
    )


def message(model: str, tool_input: Any) -> dict[str, Any]:
    return {
        "id": "msg_standin",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [
            {
                "type": "tool_use",
                "id": "toolu_standin",
                "name": "propose_changes",
                "input": tool_input,
            }
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 100,
            "output_tokens": 50,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 1500,
        },
    }


def commit_fix() -> dict[str, Any]:
    """A propose_changes answer for the Flask example: roll back a failed commit."""
    return {
        "summary": "Roll back a failed commit.",
        "suggestions": [
            {
                "kind": "error-handling",
                "title": "Roll back when the commit fails",
                "rationale": "A failed commit leaves the session unusable.",
                "edits": [
                    {
                        "find": "    db.session.commit()\n",
                        "replace": "    try:\n        db.session.commit()\n    except Exception:\n"
                        "        db.session.rollback()\n        raise\n",
                    }
                ],
            }
        ],
    }
