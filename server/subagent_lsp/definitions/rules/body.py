"""The Markdown body: a subagent's system prompt."""

from __future__ import annotations

from ...registry import Example, Rule, emits, table
from .report import Report, W
from .samples import agent

RULES = table(
    Rule(
        "AGT050",
        "empty-body",
        W,
        "The agent has no system prompt.",
        "The body is the subagent's system prompt; an empty one gives it no instructions.",
        example=Example(text=agent().replace("You review code.\n", "")),
        fix="Write the system prompt below the frontmatter.",
    ),
)


@emits("AGT050")
def check_body(r: Report) -> None:
    doc = r.doc
    if doc.frontmatter is None or doc.frontmatter.close_span is None:
        return
    if doc.body.strip():
        return
    r.add(
        "AGT050",
        doc.frontmatter.close_span,
        "The body after the frontmatter is the agent's system prompt, and it is empty. Write "
        "the agent's instructions below the closing `---`.",
    )
