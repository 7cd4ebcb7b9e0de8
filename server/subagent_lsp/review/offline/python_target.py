"""The lowest Python the app says it runs on: ``requires-python`` (PEP 621, Poetry's
``python``), setup.cfg's ``python_requires``, ruff's and black's ``target-version`` and a
``.python-version`` file; the running interpreter's when none says.

An edit written with syntax newer than that (a walrus for a 3.7 app) breaks the app on the
Python it deploys to, so every edit is parsed for this version before it is offered.
"""

from __future__ import annotations

import re
import sys

from .tool_config import PerRoot, ini_section, table, text_file, toml_file

Version = tuple[int, int]
# ast.parse's feature_version does not go lower than 3.7.
_OLDEST: Version = (3, 7)
_LOWER_BOUND = re.compile(r"(?:>=|~=|\^|==|~)\s*3\.(\d+)")
_PY = re.compile(r"^py3(\d+)$")


def _read(root: str) -> Version:
    running: Version = (sys.version_info[0], sys.version_info[1])
    minors: list[int] = []
    pyproject = toml_file(root, "pyproject.toml")
    minors += _bounds(table(pyproject, "project").get("requires-python"))
    minors += _bounds(table(pyproject, "tool", "poetry", "dependencies").get("python"))
    minors += _bounds(ini_section(root, "setup.cfg", "options").get("python_requires"))
    for ruff in (
        toml_file(root, "ruff.toml"),
        toml_file(root, ".ruff.toml"),
        table(pyproject, "tool", "ruff"),
    ):
        minors += _targets(ruff.get("target-version"))
    minors += _targets(table(pyproject, "tool", "black").get("target-version"))
    pinned = re.match(r"\s*3\.(\d+)", text_file(root, ".python-version"))
    if pinned:
        minors.append(int(pinned.group(1)))
    if not minors:
        return running
    return max(_OLDEST, min((3, min(minors)), running))


def _bounds(spec: object) -> list[int]:
    return [int(m) for m in _LOWER_BOUND.findall(spec)] if isinstance(spec, str) else []


def _targets(value: object) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [int(m.group(1)) for v in values if isinstance(v, str) and (m := _PY.match(v))]


# (3, minor) of the project at ``root``, cached until one of its config files changes.
target_python = PerRoot(_read)
