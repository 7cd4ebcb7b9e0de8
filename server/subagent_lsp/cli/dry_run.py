"""``subagent-lsp suggest --agent --dry-run``: each request printed exactly as it would be sent,
so a user can see what leaves the machine before anything does. Secrets appear as the
placeholders that replaced them (``[REDACTED:stripe-key]``), counted per request."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from ..review.context import AgentContext
from ..wording import plural


@dataclass(frozen=True)
class DryRun:
    path: str  # as shown to the user (the request holds the path as sent)
    kind: str
    context: AgentContext
    request: dict[str, Any]


def write_requests(requests: Sequence[DryRun], fmt: str, out: TextIO) -> None:
    if fmt == "json":
        json.dump(
            [
                {
                    "path": r.path,
                    "kind": r.kind,
                    "redacted": dict(sorted(r.context.redacted.items())),
                    "request": r.request,
                }
                for r in requests
            ],
            out,
            indent=2,
            ensure_ascii=False,
        )
        out.write("\n")
        return
    for n, r in enumerate(requests, 1):
        summary = r.context.redaction_summary() or "no secret found"
        out.write(f"=== request {n} of {len(requests)}: {r.path} ({r.kind}); {summary}; not sent\n")
        body = r.request
        out.write(f"model: {body['model']}, max_tokens: {body['max_tokens']}\n")
        for block in body["system"]:
            out.write("--- system prompt\n" + block["text"].rstrip("\n") + "\n")
        out.write("--- tools\n" + json.dumps(body["tools"], indent=2, ensure_ascii=False) + "\n")
        out.write(f"--- tool_choice: {json.dumps(body['tool_choice'])}\n")
        for message in body["messages"]:
            out.write(f"--- message ({message['role']})\n{message['content'].rstrip()}\n")
        out.write("\n")
    out.write(
        f"backend-developer (dry run): {plural(len(requests), 'request')} shown, none sent.\n"
    )
