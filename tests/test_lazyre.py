"""A LazyPattern answers as the compiled pattern would, and compiles once, on first use."""

from __future__ import annotations

import re

from subagent_lsp.lazyre import LazyPattern


def test_compiles_on_first_use_and_keeps_it() -> None:
    lazy = LazyPattern(r"(\w+)=(\d+)", re.ASCII)
    assert lazy._compiled is None and lazy.pattern == r"(\w+)=(\d+)"
    first = lazy.compiled()
    assert lazy.compiled() is first and first.flags & re.ASCII


def test_answers_as_re_does() -> None:
    text = "a=1, bb=22; c=x"
    lazy, real = LazyPattern(r"(\w+)=(\d+)"), re.compile(r"(\w+)=(\d+)")
    match = lazy.match(text)
    assert match is not None and match.group(0) == "a=1"
    assert lazy.search(text, 3) is not None and lazy.search(text, 3).group(1) == "bb"  # type: ignore[union-attr]
    assert lazy.fullmatch("a=1") is not None and lazy.fullmatch(text) is None
    assert lazy.findall(text) == real.findall(text) == [("a", "1"), ("bb", "22")]
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in real.finditer(text)]
    assert LazyPattern(r"[,;] ").split(text, 1) == ["a=1", "bb=22; c=x"]
