"""How the app sorts its imports: its ruff (else isort) settings, and which section a module
belongs to (future, standard library, third party, first party, local).

The defaults are ruff's, which are isort's ``profile = "black"``; the settings read are the few
that move where a line goes or how it is written.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from dataclasses import dataclass

from .tool_config import PerRoot, ini_section, table, toml_file

FUTURE, STDLIB, THIRD_PARTY, FIRST_PARTY, LOCAL = range(5)
_INI_SECTIONS = ("settings", "isort", "tool:isort")


@dataclass(frozen=True)
class ImportSettings:
    root: str
    known_first_party: tuple[str, ...] = ()
    known_third_party: tuple[str, ...] = ()
    known_local_folder: tuple[str, ...] = ()
    extra_standard_library: tuple[str, ...] = ()
    force_sort_within_sections: bool = False
    force_single_line: bool = False
    order_by_type: bool = True
    combine_as_imports: bool = False
    line_length: int = 88
    lines_after_imports: int = -1  # -1: two before a def or class, else one (ruff's "auto")
    src: tuple[str, ...] = (".", "src")


def _read(root: str) -> ImportSettings:
    pyproject = toml_file(root, "pyproject.toml")
    for name in ("ruff.toml", ".ruff.toml"):  # ruff's own files win over pyproject.toml
        if os.path.isfile(os.path.join(root, name)):
            ruff = toml_file(root, name)
            break
    else:
        ruff = table(pyproject, "tool", "ruff")
    if ruff:
        isort = table(ruff, "lint", "isort") or table(ruff, "isort")
        return _settings(root, isort, ruff.get("line-length"), ruff.get("src"), dashed=True)
    isort = table(pyproject, "tool", "isort")
    if not isort:
        for file in (".isort.cfg", "setup.cfg", "tox.ini"):
            ini: dict[str, object] = dict(ini_section(root, file, *_INI_SECTIONS))
            if ini:
                isort = ini
                break
    profile = str(isort.get("profile", "")).strip().lower()
    length = isort.get("line_length", 1000 if profile == "google" else 88 if profile else 79)
    if profile == "google":  # isort's google profile, the parts that move a line
        isort = {"force_single_line": True, "force_sort_within_sections": True} | isort
        isort.setdefault("order_by_type", False)
    return _settings(root, isort, length, None, dashed=False)


def _settings(
    root: str, isort: dict[str, object], length: object, src: object, dashed: bool
) -> ImportSettings:
    def get(key: str) -> object:
        return isort.get(key.replace("_", "-") if dashed else key)

    return ImportSettings(
        root=root,
        known_first_party=_names(get("known_first_party")),
        known_third_party=_names(get("known_third_party")),
        known_local_folder=_names(get("known_local_folder")),
        extra_standard_library=_names(get("extra_standard_library")),
        force_sort_within_sections=_flag(get("force_sort_within_sections"), False),
        force_single_line=_flag(get("force_single_line"), False),
        order_by_type=_flag(get("order_by_type"), True),
        combine_as_imports=_flag(get("combine_as_imports"), False),
        line_length=_int(length, 88),
        lines_after_imports=_int(get("lines_after_imports"), -1),
        src=_names(src) or (".", "src"),
    )


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, str):  # isort's INI files: "a,b" or one per line
        return tuple(n.strip() for n in value.replace("\n", ",").split(",") if n.strip())
    if isinstance(value, list):
        return tuple(n for n in value if isinstance(n, str))
    return ()


def _flag(value: object, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return default


def _int(value: object, default: int) -> int:
    try:
        return int(str(value)) if value is not None else default
    except ValueError:
        return default


def section_of(module: str, level: int, settings: ImportSettings, path: str) -> int:
    """The isort section of ``from <level dots><module> import`` / ``import <module>`` in the
    file at ``path``, in ruff's order of precedence: the user's lists, the standard library,
    then a module or package at a source root (or the file's own package) is first party."""
    if level > 0:
        return LOCAL
    top = module.split(".")[0]
    if top == "__future__":
        return FUTURE
    for names, section in (
        (settings.known_first_party, FIRST_PARTY),
        (settings.known_third_party, THIRD_PARTY),
        (settings.known_local_folder, LOCAL),
        (settings.extra_standard_library, STDLIB),
    ):
        if any(_matches(module, pattern) for pattern in names):
            return section
    if top in sys.stdlib_module_names:
        return STDLIB
    for folder in settings.src:
        base = os.path.join(settings.root, folder)
        package, module = os.path.join(base, top), os.path.join(base, f"{top}.py")
        if os.path.isdir(package) or os.path.isfile(module):
            return FIRST_PARTY
    if top == _own_package(path):
        return FIRST_PARTY
    return THIRD_PARTY


def _matches(module: str, pattern: str) -> bool:
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatchcase(module.split(".")[0], pattern) or fnmatch.fnmatchcase(
            module, pattern
        )
    return module == pattern or module.startswith(pattern + ".")


def _own_package(path: str) -> str:
    """The top package the file sits in (folders with ``__init__.py`` upwards), or ''."""
    folder = os.path.dirname(os.path.abspath(path))
    top = ""
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        top = os.path.basename(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return top


# The settings of the project at ``root``, cached until one of its config files changes.
import_settings = PerRoot(_read)
