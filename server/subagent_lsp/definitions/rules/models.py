"""The `model` value: aliases, ids, other vendors' models, end of life."""

from __future__ import annotations

import datetime as dt
import re

from ...registry import Example, Rule, emits, table
from .. import fixes, spec
from ..findings import Severity
from ..spec import KeySpec
from ..suggest import closest_sure
from ..yamltree import YNode
from .report import INFO, E, Report, W, expect
from .samples import agent

RULES = table(
    Rule(
        "AGT031",
        "model-foreign",
        E,
        "The model is not an Anthropic model.",
        "Claude Code calls the Anthropic API; a foreign model fails when the agent is spawned.",
        example=Example(text=agent("model: gpt-4o\n")),
        fix="Use `sonnet`, `opus`, `haiku`, `fable`, `inherit` or a claude-* id.",
    ),
    Rule(
        "AGT032",
        "model-unknown",
        W,
        "The model id is not a known Claude model.",
        "An unknown id fails or falls back silently; usually a typo of a real id.",
        example=Example(text=agent("model: claude-sonet-4-5\n")),
        fix="Use the real id: `claude-sonnet-4-5` (safe fix).",
        applicability="unsafe",
    ),
    Rule(
        "AGT033",
        "model-deprecated",
        INFO,
        "The model is deprecated or past its end of life.",
        "Requests to a retired model fail; move to the replacement before the date.",
        example=Example(text=agent("model: claude-opus-4-5\n")),
        fix="Move to a current model or an alias such as `sonnet`.",
    ),
)


@emits("AGT030", "AGT031", "AGT032")
def check_model(r: Report, key: KeySpec, node: YNode) -> None:
    if not (node.is_scalar and isinstance(node.value, str)):
        if not (node.is_scalar and node.value is None):
            expect(r, key, node, False, "a model name")
        return
    model = node.value.strip()
    aliases = {a.name: a for a in spec.MODEL_ALIASES}
    if model in aliases:
        alias = aliases[model]
        if not r.opts.on(alias.since):
            r.add(
                "AGT030",
                node.span,
                f"`{model}` needs Claude Code v{alias.since}; v{r.opts.version_text} cannot "
                "select it.",
            )
        return
    known = spec.known_model_ids()
    if model in known:
        _deprecation(r, node, model)
        return
    lower = model.lower()
    if not lower.startswith("claude") and spec.FOREIGN_MODEL.match(lower):
        r.add(
            "AGT031",
            node.span,
            f"`{model}` is not an Anthropic model: Claude Code runs subagents on Claude only, "
            "so this agent fails when spawned. Use `sonnet`, `opus`, `haiku` or `inherit`.",
        )
        return
    well_formed = re.fullmatch(
        r"claude-(opus|sonnet|haiku|fable|mythos)-\d+(-\d+)?(-\d{8})?", lower
    )
    guess, sure = (None, False) if well_formed else closest_sure(model, [*aliases, *known], 80)
    if guess is not None:
        r.add(
            "AGT032",
            node.span,
            f"Unknown model `{model}`: did you mean `{guess}`?",
            fixes.replace(node.span, guess, f"Change to `{guess}`", safe=sure),
        )
        return
    r.add(
        "AGT032",
        node.span,
        f"`{model}` is not a model id this tool knows"
        + (" (it may be newer than the installed anthropic SDK)." if well_formed else ".")
        + " Prefer an alias such as `sonnet` or `inherit`.",
        severity=Severity.INFORMATION if well_formed else None,
    )


@emits("AGT033")
def _deprecation(r: Report, node: YNode, model: str) -> None:
    retired = spec.deprecated_models().get(model)
    if retired is None:
        return
    today = r.opts.today or dt.date.today()
    past = dt.date.fromisoformat(retired) <= today
    r.add(
        "AGT033",
        node.span,
        f"`{model}` "
        + ("reached its end of life on " if past else "is deprecated; end of life ")
        + f"{retired}. Move to a current model (or an alias such as `sonnet`).",
        severity=Severity.ERROR if past else None,
    )
