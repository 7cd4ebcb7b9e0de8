"""Something derived from a file's text, read again only when the file's mtime moves: the
words of every source (which query methods are called), the handlers and views of every module.
One place for the stat, the size limit and the decoding those caches share."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Generic, TypeVar

from ...textfile import read_utf8

T = TypeVar("T")


class FileMemo(Generic[T]):
    def __init__(self, derive: Callable[[str, str], T], max_bytes: int) -> None:
        self.derive = derive  # (path, text) -> the fact
        self.max_bytes = max_bytes
        self._files: dict[str, tuple[float, T]] = {}

    def get(self, path: str) -> T | None:
        """The fact for the file as it is on disk; None when it is missing, too big or not
        text."""
        try:
            stat = os.stat(path)
        except OSError:
            return None
        cached = self._files.get(path)
        if cached is not None and cached[0] == stat.st_mtime:
            return cached[1]
        if stat.st_size > self.max_bytes:
            return None
        text = read_utf8(path)
        if text is None:
            return None
        found = self.derive(path, text)
        self._files[path] = (stat.st_mtime, found)
        return found
