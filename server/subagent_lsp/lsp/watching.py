"""Asks the client to report changes to the files the server reads from disk."""

from __future__ import annotations

import logging

from lsprotocol import types

from .feature import LanguageFeature

log = logging.getLogger(__name__)
WATCHED = (
    "**/*.md",
    "**/.claude-plugin/plugin.json",
    "**/*.{py,sql}",
    # Claude Code's JSON files (configspec.JSON_FILE_NAMES; plugin.json is above)
    "**/{.mcp,settings,settings.local,managed-settings,marketplace,hooks}.json",
    "**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,go,prisma}",
)


class FileWatching(LanguageFeature):
    async def initialized(self) -> None:
        workspace = self.client.caps.workspace
        watch = workspace and workspace.did_change_watched_files
        if not (watch and watch.dynamic_registration):
            return
        registration = types.Registration(
            id="subagent-lsp-watch",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(
                [types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED]
            ),
        )
        try:
            await self.client.ls.client_register_capability_async(
                types.RegistrationParams(registrations=[registration])
            )
        except Exception as err:  # a client that refuses keeps working without watching
            log.warning("client/registerCapability failed: %s", err)
