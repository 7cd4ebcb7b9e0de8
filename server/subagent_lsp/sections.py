"""The settings section's names, and reading the old one (light: the server imports it before
the domain is loaded)."""

from __future__ import annotations

from collections.abc import Mapping

from . import LEGACY_SETTINGS_SECTION, SETTINGS_SECTION

SECTION = SETTINGS_SECTION
LEGACY_SECTION = LEGACY_SETTINGS_SECTION


def merge_sections(current: object, legacy: object) -> tuple[object, list[str]]:
    """The client's settings under the new section, with what is only under the old one
    (``agentLsp``) filled in; and a note for each old key used."""
    if not isinstance(legacy, Mapping) or not legacy:
        return current, []
    base = dict(current) if isinstance(current, Mapping) else {}
    notes = []
    for key, value in legacy.items():
        if value is not None and key not in base:
            base[key] = value
            notes.append(
                f"{LEGACY_SECTION}.{key} is the old name of {SECTION}.{key}; it still works."
            )
    return base, notes
