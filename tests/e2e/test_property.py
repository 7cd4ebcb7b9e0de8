"""Random edit sequences through the real server: it stays alive, every range lies inside the
document, and the final diagnostics equal what `subagent-lsp check` says about the final text."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types

from subagent_lsp.cli import main as cli_main
from subagent_lsp.definitions.document import split_lines

from ..conftest import CORPUS, SEEDS
from .harness import ServerThread

# The seed agent and a real corpus file when ../shared is beside the clone; built-in ones always.
SHARED_SAMPLES = [
    (SEEDS / "backend-developer.agent.md", None),
    (
        CORPUS / "voltagent-subagents/categories/09-meta-orchestration/codebase-orchestrator.md",
        3000,
    ),
]
SAMPLES = [
    *(p.read_text(encoding="utf-8")[:cut] for p, cut in SHARED_SAMPLES if p.is_file()),
    '---\nname: a\ndescription: "Use 😀 this agent for reviews."\ntools: Read, LS\n---\nbody\n',
    "---\r\nname: b\r\ndescription: Use it: now\r\nmodel: sonet\r\n---\r\n",
]
INSERTS = st.sampled_from(
    [
        "",
        ":",
        ": ",
        "\n",
        "\r\n",
        "\r",
        "\t",
        " ",
        "-",
        "---\n",
        "😀",
        "é",
        "\u2028",
        "\x0c",
        "name: x\n",
        "tools: Read, MultiEdit\n",
        '"',
        "'",
        "[",
        "{",
        "#",
        "model: gpt-4\n",
        "a: b: c",
    ]
)


def _utf16(line: str, col: int) -> int:
    return len(line[:col].encode("utf-16-le")) // 2


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    root = tmp_path_factory.mktemp("empty-workspace")
    srv = ServerThread(root.as_uri())
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def docs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("docs") / ".claude" / "agents"
    path.mkdir(parents=True)
    return path


COUNTER = iter(range(10**6))


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sample=st.sampled_from(range(len(SAMPLES))),
    edits=st.lists(
        st.tuples(st.integers(0, 400), st.integers(0, 200), st.integers(0, 5), INSERTS),
        min_size=1,
        max_size=12,
    ),
)
def test_random_edits_match_the_cli(
    server: ServerThread, docs_dir: Path, sample: int, edits: list[tuple[int, int, int, str]]
) -> None:
    text = SAMPLES[sample]
    path = docs_dir / f"agent-{next(COUNTER)}.md"
    uri = path.as_uri()
    server.open(uri, text)
    version = 1
    for line_no, col, delete, insert in edits:
        lines = split_lines(text)
        line_no %= len(lines)
        line = lines[line_no]
        col = min(col, len(line))
        end = min(col + delete, len(line))
        start_pos = types.Position(line_no, _utf16(line, col))
        end_pos = types.Position(line_no, _utf16(line, end))
        offset = sum(len(x) for x in split_lines_keep(text)[:line_no])
        text = text[: offset + col] + insert + text[offset + end :]
        version += 1
        server.change(
            uri,
            version,
            [
                types.TextDocumentContentChangePartial(
                    range=types.Range(start_pos, end_pos), text=insert
                )
            ],
        )
    diagnostics = server.diagnostics(uri, version)
    server.close(uri)  # other examples' documents must not share its agent name
    final_lines = split_lines(text)
    for d in diagnostics:
        for pos in (d.range.start, d.range.end):
            assert 0 <= pos.line < len(final_lines)
            assert 0 <= pos.character <= _utf16(final_lines[pos.line], len(final_lines[pos.line]))
    path.write_bytes(text.encode("utf-8"))
    out = io.StringIO()
    with redirect_stdout(out):
        cli_main(["check", "--format", "json", str(path)])
    expected = []
    for item in json.loads(out.getvalue()):
        s, e = item["range"]["start"], item["range"]["end"]
        expected.append(
            (
                item["code"],
                s["line"],
                _utf16(final_lines[s["line"]], s["character"])
                if s["line"] < len(final_lines)
                else 0,
                e["line"],
                _utf16(final_lines[e["line"]], e["character"])
                if e["line"] < len(final_lines)
                else 0,
            )
        )
    got = [
        (
            d.code,
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
        )
        for d in diagnostics
    ]
    assert got == expected
    os.unlink(path)


def split_lines_keep(text: str) -> list[str]:
    """Lines with their line breaks (CR, LF, CRLF only), as LSP counts them."""
    out, start, i = [], 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "\r\n":
            end = i + 2 if text[i : i + 2] == "\r\n" else i + 1
            out.append(text[start:end])
            start = i = end
            continue
        i += 1
    out.append(text[start:])
    return out
