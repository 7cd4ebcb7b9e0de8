"""A branch on a parameter every project call leaves at its default never runs: a timeout for
the HTTP call in it (BKD301) was judged noise on a real app. A branch some caller takes, or
one of a function the project hands on by reference (its callers then unknown), is still
reported."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

CLIENT = """\
import requests


class CatalogClient:
    def __init__(self, host):
        self.host = host

    def _call(self, path, params, verb="GET"):
        url = self.host + path
        if verb == "POST":
            return requests.post(url, params)
        return requests.get(url, params)

    def books(self, params):
        return self._call("/books", params)

    def authors(self, params):
        return self._call("/authors", params)


def send(url, body, method="GET"):
    if method == "POST":
        return requests.post(url, body)
    return requests.get(url, body)


def fetch(url, body, method="GET"):
    if method != "GET":
        return requests.put(url, body)
    return requests.get(url, body)


def ping(url, loud=False):
    if loud:
        return requests.head(url)
    return None


ACTIONS = {"fetch": fetch}


def sync(host):
    CatalogClient(host).books({})
    send(host, {}, method="POST")
    fetch(host, {})
    ping(host)
"""


def test_a_branch_every_caller_leaves_shut_gets_no_timeout(tmp_path: Path) -> None:
    pkg = tmp_path / "catalog"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "client.py").write_text(CLIENT)
    (tmp_path / "requirements.txt").write_text("requests\n")
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD301"]
    got = [(s.span.start.line + 1, s.title) for s in found]
    assert got == [
        # ``_call``'s POST (line 11) is shut for both of its callers, ``ping``'s HEAD (line
        # 35) for its one
        (12, "Give the requests.get call a timeout"),
        (23, "Give the requests.post call a timeout"),  # ``send(..., method="POST")``
        (24, "Give the requests.get call a timeout"),
        (29, "Give the requests.put call a timeout"),  # ``fetch`` is handed on in ACTIONS
        (30, "Give the requests.get call a timeout"),
    ]
    assert found[0].edits[0].new_text == ", timeout=10"
