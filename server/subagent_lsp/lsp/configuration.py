"""Settings from the client: initializationOptions are the base, and what
``workspace/configuration`` or ``didChangeConfiguration`` says overrides them."""

from __future__ import annotations

import logging

from lsprotocol import types

from ..config import LEGACY_SECTION, SECTION, merge_sections, parse_settings
from .feature import Client, LanguageFeature
from .state import State

log = logging.getLogger(__name__)


class Configuration(LanguageFeature):
    def __init__(self, state: State, client: Client, initial: object = None) -> None:
        super().__init__(state, client)
        self.initial = initial  # initializationOptions, under our section
        if initial is not None:
            self.configure(None)

    def configure(self, raw: object, legacy: object = None) -> None:
        """Apply settings; ``legacy`` is the section under its old name (``agentLsp``), used
        where the new one is unset."""
        raw, notes = merge_sections(raw, legacy)
        for note in notes:
            self.client.log(note, types.MessageType.Info)
        base = self.initial if isinstance(self.initial, dict) else {}
        if isinstance(raw, dict):
            merged: object = {**base, **{k: v for k, v in raw.items() if v is not None}}
        else:
            merged = base or raw
        self.state.settings = parse_settings(merged)
        self.state.projects.set_not_sources(self.state.settings.not_sources)
        self.state.duplicates = None
        for problem in self.state.settings.problems:
            self.client.show(types.MessageType.Warning, problem)

    async def load(self) -> None:
        """Ask the client for its settings, where it answers ``workspace/configuration``."""
        workspace = self.client.caps.workspace
        if not (workspace and workspace.configuration):
            return
        items = [
            types.ConfigurationItem(section=SECTION),
            types.ConfigurationItem(section=LEGACY_SECTION),
        ]
        try:
            answer = await self.client.ls.workspace_configuration_async(
                types.ConfigurationParams(items=items)
            )
        except Exception as err:  # a client that fails the request keeps the defaults
            log.warning("workspace/configuration failed: %s", err)
            return
        answer = list(answer or [])
        self.configure(answer[0] if answer else None, answer[1] if len(answer) > 1 else None)

    async def changed(self, params: types.DidChangeConfigurationParams) -> None:
        """The settings in the notification, or (when it has none of ours) asked for."""
        settings = params.settings
        if isinstance(settings, dict) and (SECTION in settings or LEGACY_SECTION in settings):
            self.configure(settings.get(SECTION), settings.get(LEGACY_SECTION))
        else:
            await self.load()
