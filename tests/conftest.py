from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.definitions.checks import CheckOptions, check_document
from subagent_lsp.definitions.document import parse_document
from subagent_lsp.definitions.findings import Finding
from subagent_lsp.definitions.kinds import FileKind
from subagent_lsp.definitions.spec import Kind

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
SEEDS = SHARED / "seeds"


def shared(path: Path) -> Path:
    """A file or folder of ../shared. A clone standing alone has none: the test is skipped with
    one line naming what is missing (CI has ../shared, so there the test runs)."""
    if not path.exists():
        pytest.skip(f"needs {path.relative_to(SHARED.parent)}: ../shared is not beside this clone")
    return path


def lint(
    text: str,
    kind: Kind = Kind.SUBAGENT,
    path: str = "/ws/.claude/agents/my-agent.md",
    opts: CheckOptions | None = None,
    plugin: bool = False,
) -> list[Finding]:
    fk = FileKind(kind, plugin_root="/ws" if plugin else None)
    doc = parse_document(path, text)
    return check_document(doc, fk, opts or CheckOptions())


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


@pytest.fixture()
def seed_agent_text() -> str:
    return shared(SEEDS / "backend-developer.agent.md").read_text(encoding="utf-8")


# In CI the property tests replay a fixed set of examples (a red build must mean a regression,
# not a new random draw); on a developer's machine they explore new examples each run.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if __import__("os").environ.get("CI"):
    _hypothesis_settings.load_profile("ci")
