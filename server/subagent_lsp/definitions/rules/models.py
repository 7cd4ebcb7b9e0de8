"""The `model` value: aliases, ids, other vendors' models, end of life."""

from __future__ import annotations

import re

from ...records import TYPE_CHECKING
from ...registry import Example, Rule, emits, table
from .. import fixes, spec
from ..findings import Severity
from ..spec import KeySpec, Kind
from ..suggest import closest_sure
from ..yamltree import YNode
from .report import INFO, E, Report, expect
from .samples import agent

if TYPE_CHECKING:
    pass

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
        E,
        "The model is neither an alias nor a Claude model id.",
        "Claude Code sends an unknown `model` to the API as written (`sonet`, `Claude Sonnet "
        "4.5`); the API rejects it, so the agent fails when it is spawned (v2.1.332). Ids for "
        "Bedrock, Vertex or a gateway are accepted (a hint): they work against that provider; "
        "ids your own gateway takes can be listed in the `gatewayModels` setting.",
        example=Example(text=agent("model: claude-sonet-4-5\n")),
        fix="Use the real id: `claude-sonnet-4-5` (quick fix).",
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
    alias = spec.model_alias(model)
    subagent = r.fk.kind is Kind.SUBAGENT
    if alias is not None and (alias.subagent_ok or not subagent):
        if not r.opts.on(alias.since):
            r.add(
                "AGT030",
                node.span,
                f"`{model}` needs Claude Code v{alias.since}; v{r.opts.version_text} cannot "
                "select it.",
            )
        return
    if spec.is_known_model_id(model):
        _deprecation(r, node, model)
        return
    if r.opts.gateway_accepts(model):
        return  # the user's gateway takes it (gatewayModels): Claude Code sends it as written
    if spec.PROVIDER_MODEL.fullmatch(model):
        r.add(
            "AGT032",
            node.span,
            f"`{model}` is a provider's model id (Bedrock, Vertex or a gateway): Claude Code "
            "sends it as written, so it works only when Claude Code runs against that provider.",
            severity=Severity.HINT,
        )
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
    _unknown_model(r, node, model, subagent)


@emits("AGT032")
def _unknown_model(r: Report, node: YNode, model: str, subagent: bool) -> None:
    fails = "Claude Code sends it to the API as written and the API rejects it, so " + (
        "the agent fails when it is spawned" if subagent else "the turn that uses it fails"
    )
    # Measured for subagents (a 404 at spawn); for skills and commands it is the same request,
    # but not measured: a warning there.
    severity = None if subagent else Severity.WARNING
    if model.lower() in spec.REJECTED_MODEL_WORDS:
        r.add(
            "AGT032",
            node.span,
            f"`{model}` is not a model alias here: {fails} (v{spec.MODEL_FACTS_RELEASE}). Use "
            "`inherit` for the main conversation's model, or `sonnet`, `opus`, `haiku`.",
            fixes.replace(node.span, "inherit", "Change to `inherit`", safe=False),
            severity=severity,
        )
        return
    well_formed = re.fullmatch(
        r"claude-(opus|sonnet|haiku|fable|mythos)-\d+(-\d+)?(-\d{8})?", model.lower()
    )
    if well_formed:
        # Perhaps newer than the installed anthropic SDK: uncertain, so not more than a note.
        r.add(
            "AGT032",
            node.span,
            f"`{model}` is not a model id this tool knows (it may be newer than the installed "
            f"anthropic SDK). If the API does not know it either, {fails[0].lower() + fails[1:]}.",
            severity=Severity.INFORMATION,
        )
        return
    choices = [a.name for a in spec.MODEL_ALIASES if a.subagent_ok or not subagent]
    if r.doc.rescued and " #" in model:
        fails += (
            " (the quoting retry this frontmatter needs made the ` #` comment part of the value)"
        )
        meant = model.split(" #", 1)[0].strip()
        if meant.lower() in choices or spec.is_known_model_id(meant):
            r.add(
                "AGT032",
                node.span,
                f"Unknown model `{model}`: {fails}. Move the comment to a line of its own.",
                fixes.replace(node.span, meant, f"Change to `{meant}`", safe=False),
                severity=severity,
            )
            return
    guess, sure = closest_sure(model, [*choices, *spec.known_model_ids()], 80)
    r.add(
        "AGT032",
        node.span,
        f"Unknown model `{model}`: {fails}."
        + (
            f" Did you mean `{guess}`?" if guess else " Use an alias such as `sonnet` or `inherit`."
        ),
        fixes.replace(node.span, guess, f"Change to `{guess}`", safe=sure) if guess else None,
        severity=severity,
    )


@emits("AGT033")
def _deprecation(r: Report, node: YNode, model: str) -> None:
    retired = spec.deprecated_models().get(model)
    if retired is None:
        return
    import datetime as dt  # only when a date is there to read

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
