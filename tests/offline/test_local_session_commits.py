"""A session made in the function and only closed after its commit leaves no one to meet a
failed transaction: no rollback advice (three judged noise on a real app). The twins: the
same session used again after the commit, and a commit inside a loop whose next turn reuses
it, still get the advice."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

_HEAD = """\
from flask import Flask, jsonify
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

app = Flask(__name__)
engine = create_engine("postgresql://localhost/app")
Session = sessionmaker(engine)


@app.post("/animals/truncate")
def truncate():
    session = Session()
    session.execute(text("TRUNCATE TABLE animals"))
"""

_DROPPED = _HEAD + "    session.commit()\n    session.close()\n    return jsonify(done=True)\n"
_REUSED = (
    _HEAD
    + "    session.commit()\n"
    + '    left = session.execute(text("SELECT count(*) FROM animals")).scalar()\n'
    + "    session.close()\n"
    + "    return jsonify(left=left)\n"
)
_LOOPED = (
    _HEAD.replace(
        '    session.execute(text("TRUNCATE TABLE animals"))\n',
        '    for name in ("animals", "people"):\n'
        + '        session.execute(text(f"TRUNCATE TABLE {name}"))\n'
        + "        session.commit()\n",
    )
    + "    session.close()\n    return jsonify(done=True)\n"
)


def _rollbacks(root: Path, text: str) -> list[int]:
    (root / "app.py").write_text(text)
    (root / "requirements.txt").write_text("flask\nsqlalchemy\npsycopg2\n")
    found = collect([str(root)], ["error-handling"])
    return [s.span.start.line + 1 for s in found if s.code == "BKD303"]


def test_a_local_session_only_closed_after_its_commit_needs_no_rollback(tmp_path: Path) -> None:
    assert _rollbacks(tmp_path, _DROPPED) == []


def test_a_session_used_after_its_commit_gets_the_rollback(tmp_path: Path) -> None:
    assert _rollbacks(tmp_path, _REUSED) == [14]


def test_a_commit_in_a_loop_gets_the_rollback(tmp_path: Path) -> None:
    assert _rollbacks(tmp_path, _LOOPED) == [15]
