"""Which backend-developer agent a request uses, with which model and call options.

The editor and ``subagent-lsp suggest --agent`` both call :func:`setup_agent`, so an
``agentFile``, a workspace's own ``.claude/agents/backend-developer.md``, ``model``,
``agentTimeout``, ``agentRetries``, ``contextTokens``, ``secretPatterns`` and ``agentExclude``
mean the same in both, and :meth:`AgentSetup.request` is exactly what either would send.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..definitions.findings import Span
from .agent import AgentDefinition, AgentFileError, bundled_agent_path, load_agent
from .agent_answer import AgentAnswer
from .anthropic_agent import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    AgentCall,
    call_agent,
    has_credentials,
)
from .context import DEFAULT_BUDGET_TOKENS, AgentContext, build_context
from .exclusions import Exclusions
from .offline.schema import Schema

if TYPE_CHECKING:
    from .project import Project

# A workspace may define its own backend-developer; it wins over the bundled one.
WORKSPACE_AGENT = os.path.join(".claude", "agents", "backend-developer.md")
BUNDLED = "the bundled backend-developer"


class AgentSettings(Protocol):
    """The settings the agent reads (config.Settings has them; read-only here)."""

    @property
    def agent_file(self) -> str | None: ...
    @property
    def model(self) -> str | None: ...
    @property
    def offline(self) -> bool: ...
    @property
    def agent_timeout(self) -> float: ...
    @property
    def agent_retries(self) -> int: ...
    @property
    def context_tokens(self) -> int: ...
    @property
    def secret_patterns(self) -> tuple[str, ...]: ...
    @property
    def agent_exclude(self) -> tuple[str, ...]: ...
    @property
    def root(self) -> str | None: ...


class AgentUnavailable(Exception):
    """Not even the bundled agent loads (a broken install): one line that says why."""


@dataclass(frozen=True)
class AgentSetup:
    agent: AgentDefinition
    model: str  # a concrete id for the API
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    context_tokens: int = DEFAULT_BUDGET_TOKENS
    # One line per agent file that was passed over, naming why and which agent is used.
    warnings: tuple[str, ...] = ()
    secret_patterns: tuple[str, ...] = ()
    exclusions: Exclusions = field(default_factory=Exclusions)

    def excluded(self, path: str) -> str | None:
        """Why ``path`` is never sent to the agent (None: it may be)."""
        return self.exclusions.excluded(path)

    def context(
        self,
        path: str,
        text: str,
        scope: Span,
        kind: str,
        schema: Schema,
        project: Project | None = None,
    ) -> AgentContext:
        """What is sent for ``scope``; the secret catalogue is loaded here, on the first call."""
        return build_context(
            path,
            text,
            scope,
            kind,
            schema,
            self.context_tokens,
            patterns=self.secret_patterns,
            exclusions=self.exclusions,
            project=project,
        )

    def request(self, context: AgentContext) -> dict[str, Any]:
        """The Messages API request :meth:`ask` sends for ``context``, as it is sent."""
        return AgentCall(self.agent, self.model, context).request()

    async def ask(self, context: AgentContext, schema: Schema, roots: list[str]) -> AgentAnswer:
        return await call_agent(
            AgentCall(self.agent, self.model, context),
            schema,
            roots,
            timeout=self.timeout,
            max_retries=self.retries,
        )


def agent_enabled(settings: AgentSettings) -> bool:
    """Whether the actions call the agent (an API key, and not offline) or the offline engine."""
    return has_credentials() and not settings.offline


def setup_agent(
    settings: AgentSettings, roots: Sequence[str], base: str | None = None
) -> AgentSetup:
    """The agent, model and options for these settings. A relative ``agentFile`` is read from
    ``base`` (the configuration file's folder), else from the first root. Raises
    AgentUnavailable when no agent loads at all."""
    agent, warnings = resolve_agent(settings.agent_file, roots, base)
    return AgentSetup(
        agent,
        model_for(agent, settings.model),
        timeout=settings.agent_timeout,
        retries=settings.agent_retries,
        context_tokens=settings.context_tokens,
        warnings=tuple(warnings),
        secret_patterns=tuple(settings.secret_patterns),
        exclusions=Exclusions(
            tuple(roots), tuple(settings.agent_exclude), base or settings.root or None
        ),
    )


def resolve_agent(
    agent_file: str | None, roots: Sequence[str], base: str | None = None
) -> tuple[AgentDefinition, list[str]]:
    """The first agent that loads: the ``agentFile`` setting, then each root's
    ``.claude/agents/backend-developer.md``, then the bundled agent; and a warning for each
    file passed over (a configured file that is missing, or one that is not a valid agent)."""
    passed: list[tuple[str, str]] = []  # (path, why)
    for path, configured in _candidates(agent_file, roots, base):
        if not os.path.isfile(path):
            if configured:
                passed.append((path, "agentFile names a file that does not exist"))
            continue
        try:
            agent = load_agent(path)
        except (AgentFileError, OSError, UnicodeDecodeError) as err:
            passed.append((path, _reason(err)))
            continue
        return agent, _warnings(passed, path)
    try:
        agent = load_agent(bundled_agent_path())
    except (AgentFileError, OSError, UnicodeDecodeError) as err:
        raise AgentUnavailable(
            f"the bundled backend-developer agent cannot be loaded ({_reason(err)}); "
            "reinstall subagent-lsp or set agentFile"
        ) from err
    return agent, _warnings(passed, None)


def model_for(agent: AgentDefinition, override: str | None) -> str:
    """The agent's model as a concrete id; a ``model`` setting (an alias or an id) wins."""
    if not override:
        return agent.model_id()
    return dataclasses.replace(agent, model=override).model_id()


def _candidates(
    agent_file: str | None, roots: Sequence[str], base: str | None
) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    if agent_file:
        path = os.path.expanduser(agent_file)
        folder = base or (roots[0] if roots else None)
        if not os.path.isabs(path) and folder:
            path = os.path.join(folder, path)
        out.append((path, True))
    out.extend((os.path.join(root, WORKSPACE_AGENT), False) for root in roots)
    return out


def _reason(err: Exception) -> str:
    if isinstance(err, AgentFileError) and err.findings:
        return err.findings[0].message
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return str(err)


def _warnings(passed: list[tuple[str, str]], used: str | None) -> list[str]:
    instead = used or BUNDLED
    out = []
    for path, why in passed:
        if why.startswith("agentFile"):
            out.append(f"{path}: {why}; using {instead} instead.")
        else:
            out.append(f"{path} is not a valid agent ({why}); using {instead} instead.")
    return out
