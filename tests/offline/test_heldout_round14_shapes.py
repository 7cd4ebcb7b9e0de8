"""Fourteenth held-out round, after its measurement (shapes of our own): a timeout added to a
call whose closing parenthesis has a line of its own leaves the file as ruff formats it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

APP = """\
import requests
from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/busy")
def busy():
    reply = requests.get(
        "https://calendar.example.com/busy", params={"day": "today"}, auth=("u", "p")
    )
    return jsonify(reply.json())


@app.post("/event")
def event():
    reply = requests.post(
        "https://calendar.example.com/events",
        json={"title": "standup", "start": "09:00", "end": "09:15", "room": "blue"},
    )
    return jsonify(reply.json())
"""


def test_a_timeout_keeps_the_call_formatted(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "cal"\ndependencies = ["flask", "requests"]\n'
    )
    path = tmp_path / "app.py"
    path.write_text(APP)
    for _ in range(2):  # one at a time, each on the text the other left
        found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD301"]
        apply_suggestion(found[0])
    text = path.read_text()
    # too long with it on the arguments' line: one argument per line, then the timeout
    assert '        auth=("u", "p"),\n        timeout=10,\n    )' in text
    assert "        timeout=10,\n    )\n    return jsonify(reply.json())\n\n\n@app.post" in text
    assert text.count("timeout=10") == 2
    ruff = Path(sys.executable).with_name("ruff")
    check = subprocess.run(
        [str(ruff), "format", "--check", "--isolated", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
