"""BKD213 for a list: a FastAPI ``int`` parameter used as an index of a list the code makes,
unchecked. Each shape has a twin that must stay silent."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion
from .trees import write_tree

APP = (
    "from fastapi import FastAPI\n\n"
    "app = FastAPI()\n"
    'PLANS = [{"name": "free"}, {"name": "team"}, {"name": "pro"}]\n\n\n'
    '@app.get("/plans/{plan_id}")\n'
    "def read_plan(plan_id: int) -> dict[str, str]:\n"
    "    return PLANS[plan_id]\n\n\n"
    '@app.get("/words")\n'
    "def word(text: str, position: int = 0) -> dict[str, str]:\n"
    "    words = text.split()\n"
    '    return {"word": words[position]}\n'
)


def _write(root: Path, files: dict[str, str]) -> Path:
    return write_tree(root, {"pyproject.toml": '[project]\nname = "plans"\n', **files})


def _found(root: Path) -> list[Suggestion]:
    return [
        s
        for s in collect([str(root)], ["validation"])
        if s.code == "BKD213" and "is an index of" in s.title
    ]


def test_a_path_and_a_query_index_are_range_checked(tmp_path: Path) -> None:
    root = _write(tmp_path, {"app.py": APP})
    found = _found(root)
    assert [s.title for s in found] == [
        "Check `plan_id` is an index of `PLANS`",
        "Check `position` is an index of `words`",
    ]
    assert "a part of the path" in found[0].rationale and "answers 404" in found[0].rationale
    assert "a query value" in found[1].rationale and "answers 400" in found[1].rationale
    path = str(root / "app.py")
    new = apply_suggestion(found[0])[path]
    ast.parse(new)
    assert new.startswith("from fastapi import FastAPI, HTTPException\n")
    assert (
        "    if not 0 <= plan_id < len(PLANS):\n"
        '        raise HTTPException(status_code=404, detail="no such plan_id")\n'
        "    return PLANS[plan_id]\n"
    ) in new
    (left,) = _found(root)
    new = apply_suggestion(left)[path]
    ast.parse(new)
    assert (
        "    if not 0 <= position < len(words):\n"
        '        raise HTTPException(status_code=400, detail="position out of range")\n'
    ) in new
    assert _found(root) == []


def test_a_module_imported_whole_raises_through_it(tmp_path: Path) -> None:
    app = APP.replace("from fastapi import FastAPI\n", "import fastapi\n").replace(
        "app = FastAPI()", "app = fastapi.FastAPI()"
    )
    root = _write(tmp_path, {"app.py": app})
    new = apply_suggestion(_found(root)[0])[str(root / "app.py")]
    ast.parse(new)
    assert '        raise fastapi.HTTPException(status_code=404, detail="no such plan_id")\n' in new


def test_checked_bounded_caught_and_unknown_containers_stay_silent(tmp_path: Path) -> None:
    checked = APP.replace(
        "    return PLANS[plan_id]\n",
        "    if plan_id >= len(PLANS):\n"
        '        return {"name": "none"}\n'
        "    return PLANS[plan_id]\n",
    ).replace("    words = text.split()\n", "    words = text.split()\n    assert position < 9\n")
    bounded = APP.replace("from fastapi import FastAPI\n", "from fastapi import FastAPI, Path\n")
    bounded = bounded.replace("plan_id: int)", "plan_id: int = Path(ge=0, lt=3))").replace(
        "    return {", "    try:\n        return {"
    )
    bounded = bounded.replace(
        '"word": words[position]}\n',
        '"word": words[position]}\n    except IndexError:\n        return {"word": ""}\n',
    )
    as_dict = APP.replace(
        'PLANS = [{"name": "free"}, {"name": "team"}, {"name": "pro"}]',
        'PLANS = {1: {"name": "free"}, 2: {"name": "team"}}',
    ).replace("    words = text.split()\n", "    words = load(text)\n")
    files = {
        "checked.py": checked,
        "bounded.py": bounded,
        "as_dict.py": as_dict,
        "tests/test_app.py": APP,
    }
    for rel, text in files.items():
        ast.parse(text)
        assert _found(_write(tmp_path / rel.replace("/", "_"), {rel: text})) == [], rel
