"""The propose_changes tool: the schema sent and the validation of the answer come from one
pydantic model, and the schema stays the small, inlined one the cached prefix was sized with."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from subagent_lsp.review.propose_changes import MalformedAnswer, tool_definition, validate

from ..conftest import REPO

# What the API was sent before the model existed, plus the one constraint validation always
# enforced but the hand-written schema never said: a suggestion has at least one edit.
EXPECTED_SCHEMA = {
    "type": "object",
    "properties": {
        "summary": {"type": "string", "description": "One or two sentences for the developer."},
        "suggestions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": ["index", "validation", "error-handling"]},
                    "title": {"type": "string"},
                    "rationale": {"type": "string"},
                    "edits": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "properties": {
                                "find": {"type": "string"},
                                "replace": {"type": "string"},
                                "path": {"type": "string"},
                            },
                            "required": ["find", "replace"],
                        },
                    },
                },
                "required": ["kind", "title", "rationale", "edits"],
            },
        },
    },
    "required": ["summary", "suggestions"],
}


def _answer(**suggestion: object) -> dict[str, object]:
    item = {
        "kind": "index",
        "title": "t",
        "rationale": "r",
        "edits": [{"find": "a", "replace": "b"}],
    }
    item.update(suggestion)
    return {"summary": "s", "suggestions": [item]}


def test_the_schema_sent_is_the_inlined_schema_of_the_model() -> None:
    tool = tool_definition()
    assert tool["name"] == "propose_changes"
    assert tool["input_schema"] == EXPECTED_SCHEMA
    assert "$ref" not in json.dumps(tool) and '"title": "' not in json.dumps(tool)


def test_a_valid_answer_reads_as_typed_objects() -> None:
    answer = validate(_answer(edits=[{"find": "", "replace": "x", "path": None}]))
    [suggestion] = answer.suggestions
    assert suggestion.kind == "index" and suggestion.edits[0].path is None
    assert validate({"summary": "", "suggestions": [], "extra": 1}).suggestions == []


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "the answer: Input should be a valid dictionary"),
        ({"summary": 3, "suggestions": []}, "summary: Input should be a valid string"),
        ({"suggestions": []}, "summary: Field required"),
        (_answer(kind="style"), "suggestions[0].kind: Input should be 'index', 'validation'"),
        (_answer(edits=[]), "suggestions[0].edits: List should have at least 1 item"),
        (_answer(edits=[{"find": 1, "replace": "b"}]), "suggestions[0].edits[0].find: Input"),
        (_answer(title=None, rationale=None), "suggestions[0].title: Input should be a valid"),
    ],
)
def test_a_broken_answer_is_one_message(raw: object, message: str) -> None:
    with pytest.raises(MalformedAnswer) as err:
        validate(raw)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_pydantic_is_imported_only_when_the_agent_is_called() -> None:
    code = (
        "import sys\n"
        "import subagent_lsp.review.anthropic_agent, subagent_lsp.review.agent_answer\n"
        "assert 'pydantic' not in sys.modules, 'imported with the agent modules'\n"
        "from subagent_lsp.review.propose_changes import tool_definition\n"
        "tool_definition()\n"
        "assert 'pydantic' in sys.modules\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "server")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=REPO)
