"""Reading a file as UTF-8 text, shared by both domains and the commands.

Two needs, two functions: most readers only want the text or nothing (a file that vanished, is
unreadable or is not UTF-8 is simply skipped), while the agent-file checker must say *why* a file
cannot be checked, so its reader lives in ``definitions/workspace.py`` and reports a reason.
"""

from __future__ import annotations


def read_utf8(path: str) -> str | None:
    """The file's text (universal newlines, as ``open`` reads it), or None when it cannot be
    read or is not UTF-8."""
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError):
        return None
