"""Records (records.py) behave as the frozen dataclasses they replaced: equality and hashing by
field values within one class, ordering of positions and spans, repr, and ``_replace``."""

from __future__ import annotations

import pytest

from subagent_lsp.definitions.findings import Finding, Fix, Position, Severity, Span, TextEdit
from subagent_lsp.definitions.workspace import ReadResult
from subagent_lsp.records import Record


def test_equal_and_hashed_by_fields() -> None:
    a = Finding("AGT001", Severity.ERROR, Span.of(0, 1, 0, 2), "m")
    b = Finding("AGT001", Severity.ERROR, Span.of(0, 1, 0, 2), "m")
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != a._replace(message="other")
    assert (a != b) is False


def test_records_of_other_classes_are_never_equal() -> None:
    assert ReadResult("x", None) != ReadResult("y", None)
    assert Position(0, 1) != (0, 1)  # not a tuple
    assert Position(0, 1) != Span.point(0, 1)
    assert (Position(0, 1) == object()) is False


def test_positions_and_spans_order_as_tuples() -> None:
    points = [Position(1, 0), Position(0, 5), Position(0, 2)]
    assert sorted(points) == [Position(0, 2), Position(0, 5), Position(1, 0)]
    assert Position(0, 2) <= Position(0, 2) < Position(0, 3)
    assert Position(1, 0) > Position(0, 9) and Position(1, 0) >= Position(1, 0)
    short, long = Span.of(0, 0, 0, 1), Span.of(0, 0, 0, 4)
    assert short < long and short <= long and long > short and long >= short
    assert Span.of(0, 0, 2, 0).contains(Position(1, 7))


def test_replace_keeps_the_rest_and_rejects_unknown_fields() -> None:
    fix = Fix("Quote it", (TextEdit(Span.point(0, 0), '"'),))
    unsafe = fix._replace(safe=False)
    assert (unsafe.title, unsafe.edits, unsafe.safe) == (fix.title, fix.edits, False)
    with pytest.raises(TypeError, match="no field 'sure'"):
        fix._replace(sure=False)
    assert fix._asdict() == {"title": "Quote it", "edits": fix.edits, "safe": True}


def test_repr_names_the_fields() -> None:
    assert repr(Position(3, 4)) == "Position(line=3, column=4)"


def test_a_record_without_fields() -> None:
    class Empty(Record):
        __slots__ = ()

    assert Empty() == Empty() and hash(Empty()) == hash(Empty()) and repr(Empty()) == "Empty()"


def test_a_subclass_adds_fields() -> None:
    class Named(Record):
        __slots__ = "name"

        def __init__(self, name: str) -> None:
            self.name = name

    class Aged(Named):
        __slots__ = ("age",)

        def __init__(self, name: str, age: int) -> None:
            super().__init__(name)
            self.age = age

    assert Aged._fields == ("name", "age")
    assert Aged("a", 1) == Aged("a", 1) != Aged("a", 2)
    assert Named("a")._replace(name="b") == Named("b")
