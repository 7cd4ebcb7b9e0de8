"""A database the proofs run in, with what they remember (kept apart so the throwaway cluster's
sessions and the user's database share one shape)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .load import Loader
from .proof import PgProof

if TYPE_CHECKING:
    import psycopg


@dataclass
class PgSession:
    """One database: of the throwaway cluster (one per workspace root), or the user's."""

    conn: psycopg.Connection[Any]
    loader: Loader
    version: str
    hypopg: bool
    readonly: bool = False  # the user's database: HypoPG only, nothing loaded or written
    lock: threading.Lock = field(default_factory=threading.Lock)
    proofs: dict[tuple[str, str, str], PgProof] = field(default_factory=dict)
    values: dict[tuple[str, str, str], str | None] = field(default_factory=dict)

    @property
    def engine(self) -> str:
        return f"PostgreSQL {self.version.split('.')[0]}"
