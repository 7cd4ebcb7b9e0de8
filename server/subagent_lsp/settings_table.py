"""Every setting as plain data, generated from settings_model.py by `make
settings`: do not edit (a test fails when this file is stale). settings_read.py reads
configurations with it, so that reading one does not import pydantic."""

from __future__ import annotations

from .records import Record


class Spec(Record):
    __slots__ = ("client", "key", "maximum", "minimum", "shape")

    def __init__(
        self,
        key: str,  # the name in [tool.subagent-lsp], and in VS Code after "subagentLsp."
        shape: str,  # which reader of settings_read.py takes the value
        minimum: float | None,
        maximum: float | None,
        client: bool,  # read by the VS Code client only: the server accepts and ignores it
    ) -> None:
        self.key = key
        self.shape = shape
        self.minimum = minimum
        self.maximum = maximum
        self.client = client


SPECS: tuple[Spec, ...] = (
    Spec("serverPath", "text", None, None, True),
    Spec("interpreter", "patterns", None, None, True),
    Spec("claudeCodeVersion", "version", None, None, False),
    Spec("today", "date", None, None, False),
    Spec("gatewayModels", "patterns", None, None, False),
    Spec("severity", "severities", None, None, False),
    Spec("rules", "severities", None, None, False),
    Spec("select", "prefixes", None, None, False),
    Spec("ignore", "prefixes", None, None, False),
    Spec("globs", "globs", None, None, False),
    Spec("exclude", "patterns", None, None, False),
    Spec("perPathIgnores", "path-prefixes", None, None, False),
    Spec("agentFile", "text", None, None, False),
    Spec("model", "text", None, None, False),
    Spec("offline", "flag", None, None, False),
    Spec("agentTimeout", "number", 1, 600, False),
    Spec("agentRetries", "integer", 0, 5, False),
    Spec("contextTokens", "integer", 500, 200000, False),
    Spec("secretPatterns", "patterns", None, None, False),
    Spec("agentExclude", "patterns", None, None, False),
    Spec("notSources", "patterns", None, None, False),
    Spec("trace.server", "choice", None, None, True),
)
