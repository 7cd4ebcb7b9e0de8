"""Findings -> SARIF 2.1.0, as GitHub code scanning reads it."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from ..definitions.findings import Severity
from ..definitions.rules import RULES
from ..definitions.workspace import FileResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/subagent-lsp/subagent-lsp"
_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFORMATION: "note",
    Severity.HINT: "note",
}


def _rules() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for rule in RULES.values():
        markdown = (
            f"{rule.summary}\n\n**Why:** {rule.why}\n\n**Example:** {rule.example_markdown()}\n\n"
            f"**Fix:** {rule.fix}"
        )
        out.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": f"{rule.summary} {rule.why}"},
                "help": {"text": f"{rule.why} Fix: {rule.fix}", "markdown": markdown},
                "helpUri": rule.url,
                "defaultConfiguration": {"level": _LEVEL[rule.severity]},
                "properties": {"tags": ["claude-code", "agent-definitions"]},
            }
        )
    return out


def to_sarif(results: Sequence[FileResult], base: str | None = None) -> dict[str, object]:
    root = Path(base or os.getcwd()).resolve()
    index = {code: i for i, code in enumerate(RULES)}
    sarif_results: list[dict[str, object]] = []
    for result in results:
        path = Path(result.path).resolve()
        try:
            uri = path.relative_to(root).as_posix()
            location: dict[str, object] = {"uri": uri, "uriBaseId": "%SRCROOT%"}
        except ValueError:
            uri = path.as_uri()
            location = {"uri": uri}
        for f in result.findings:
            region = {
                "startLine": f.span.start.line + 1,
                "startColumn": f.span.start.column + 1,
                "endLine": f.span.end.line + 1,
                "endColumn": f.span.end.column + 1,
            }
            digest = hashlib.sha256(f"{uri}:{f.code}:{f.message}".encode()).hexdigest()[:32]
            sarif_results.append(
                {
                    "ruleId": f.code,
                    "ruleIndex": index[f.code],
                    "level": _LEVEL[f.severity],
                    "message": {"text": f.message},
                    "locations": [
                        {"physicalLocation": {"artifactLocation": location, "region": region}}
                    ],
                    "partialFingerprints": {"agentLspFinding/v1": digest},
                }
            )
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "subagent-lsp",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFO_URI,
                        "rules": _rules(),
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": sarif_results,
            }
        ],
    }
