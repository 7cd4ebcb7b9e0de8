"""Load an agent definition (the backend-developer agent) into what an API call needs.

python-frontmatter does the split and metadata plumbing, with our own handler so the file is
parsed by the same code as the linter: one parser for the format, and a file the linter calls
broken is never half-loaded here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frontmatter
from frontmatter.default_handlers import YAMLHandler

from ..definitions.checks import check_document
from ..definitions.document import Document, parse_document
from ..definitions.findings import Finding, Severity
from ..definitions.kinds import FileKind
from ..definitions.spec import ALIAS_TO_MODEL_ID, Kind

BUNDLED_AGENT = "backend-developer.md"


class AgentFileError(ValueError):
    """The agent file is not a usable definition; ``findings`` say why."""

    def __init__(self, path: str, findings: list[Finding]) -> None:
        self.path = path
        self.findings = findings
        first = findings[0].message if findings else "unknown problem"
        super().__init__(f"{path}: {first}")


class AgentHandler(YAMLHandler):
    """python-frontmatter handler backed by subagent-lsp's own frontmatter parser."""

    def __init__(self, path: str = "<agent>") -> None:
        super().__init__()
        self.path = path
        self.document: Document | None = None

    def split(self, text: str) -> tuple[str, str]:
        doc = parse_document(self.path, text)
        self.document = doc
        if doc.frontmatter is None:
            return "", text
        return doc.frontmatter.yaml_text, doc.body

    def load(self, fm: str, **kwargs: Any) -> dict[str, Any]:
        doc = self.document
        if doc is None or doc.mapping is None:
            return {}
        data = doc.mapping.to_python()
        return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class AgentDefinition:
    path: str
    name: str
    description: str
    model: str  # as written: an alias or an id
    system_prompt: str

    def model_id(self, overrides: dict[str, str] | None = None) -> str:
        """A concrete claude-* id for the API (aliases mapped through a data table)."""
        table = {**ALIAS_TO_MODEL_ID, **(overrides or {})}
        family = self.model.split("[", 1)[0]
        env = os.environ.get(f"ANTHROPIC_DEFAULT_{family.upper()}_MODEL")
        if env:
            return env
        if self.model in ("inherit", "default", ""):
            return table["sonnet"]
        return table.get(self.model, self.model)


def load_agent(path: str | os.PathLike[str]) -> AgentDefinition:
    """Read and validate an agent file; raise AgentFileError when Claude Code would reject it."""
    text = Path(path).read_text(encoding="utf-8")
    return parse_agent(str(path), text)


def parse_agent(path: str, text: str) -> AgentDefinition:
    handler = AgentHandler(path)
    post = frontmatter.loads(text, handler=handler)
    doc = handler.document
    assert doc is not None
    findings = check_document(doc, FileKind(Kind.SUBAGENT))
    # Only what Claude Code refuses refuses here: YAML that loads through its quoting retry is a
    # warning, and the agent runs as Claude Code would run it.
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        raise AgentFileError(path, errors)
    meta = post.metadata
    return AgentDefinition(
        path=path,
        name=str(meta.get("name", "")),
        description=str(meta.get("description", "")),
        model=str(meta.get("model") or "inherit"),
        system_prompt=post.content.strip(),
    )


def bundled_agent_path() -> str:
    """The backend-developer agent shipped in the package (package data, so an installed wheel
    has it; the checkout's agents/backend-developer.md links to the same file)."""
    from importlib.resources import files

    resource = files("subagent_lsp") / "bundled" / BUNDLED_AGENT
    if not resource.is_file():
        raise FileNotFoundError(f"the bundled agent {BUNDLED_AGENT} is missing from the package")
    return str(resource)
