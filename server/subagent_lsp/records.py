"""Value classes for what ``check`` loads at start-up: fields in ``__slots__``, an explicit
``__init__``, equality, hashing, ``repr`` and ``_replace`` from here.

Why not the standard ones: ``check FILE`` pays their cost on every pre-commit run. Importing
``dataclasses`` costs ~10 ms and each frozen dataclass ~0.6 ms to create; ``typing.NamedTuple``
needs ``typing`` (~3.5 ms) and ~0.16 ms per class. A Record class costs what a plain class costs.
Records are immutable by convention (nothing assigns to a field after ``__init__``).
"""

from __future__ import annotations

from operator import attrgetter

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy reads it as True
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Self


class Record:
    __slots__ = ()
    _fields: tuple[str, ...] = ()
    _values: Callable[[object], object]

    def __init_subclass__(cls) -> None:
        own = cls.__dict__.get("__slots__", ())
        fields = (*cls._fields, *((own,) if isinstance(own, str) else own))
        init = cls.__dict__.get("__init__")
        if init is not None:  # in the order __init__ takes them (slots are sorted)
            code = init.__code__
            params = code.co_varnames[1 : code.co_argcount + code.co_kwonlyargcount]
            if sorted(params) == sorted(fields):
                fields = params
        cls._fields = fields
        # One C call for the field values: a tuple of them, or the value itself for one field.
        cls._values = staticmethod(attrgetter(*fields) if fields else _no_values)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values(self) == self._values(other)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash((self.__class__, self._values(self)))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{self.__class__.__name__}({shown})"

    def _replace(self, **changes: object) -> Self:
        """A copy with ``changes`` (as ``dataclasses.replace`` or a NamedTuple's)."""
        unknown = changes.keys() - set(self._fields)
        if unknown:
            raise TypeError(f"{self.__class__.__name__} has no field {sorted(unknown)[0]!r}")
        values = {name: changes.get(name, getattr(self, name)) for name in self._fields}
        return self.__class__(**values)

    def _asdict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self._fields}


def _no_values(_record: object) -> tuple[()]:
    return ()
