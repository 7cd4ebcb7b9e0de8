"""Project facts for Node and Go code: the manifest a file belongs to (package.json, go.mod),
what it declares, and which files are tests rather than sources."""

from __future__ import annotations

import json
import os
import re

from ....textfile import read_utf8
from ..project_files import project_root
from .served_assets import served_by_bundle

# Not the project's code at all (the notSources setting does not reach these).
VENDORED = frozenset({"node_modules", "dist", "build", "vendor"})
SKIP_PARTS = VENDORED | frozenset(
    {
        "test",
        "tests",
        "__tests__",
        "__mocks__",
        "testdata",
        # one-off data loaders: their queries run once, on an empty database
        "seeds",
        "seeders",
    }
)
_TEST_FILE = re.compile(r"(\.(test|spec)\.[cm]?[jt]sx?|_test\.go)$")


def manifest_folder(path: str, manifest: str) -> str | None:
    """The nearest folder above ``path`` holding ``manifest`` (package.json, go.mod)."""
    folder = os.path.dirname(os.path.abspath(path))
    while True:
        if os.path.isfile(os.path.join(folder, manifest)):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def is_vendored(path: str, root: str | None) -> bool:
    """Installed or built code; whether a file is a test is the notSources setting's to say
    (review/offline/not_sources.py), read before any analysis."""
    rel = os.path.relpath(os.path.abspath(path), root) if root else os.path.basename(path)
    return bool(VENDORED & set(rel.replace("\\", "/").split("/")[:-1]))


_cache: dict[str, tuple[float, dict[str, str] | None]] = {}


def node_packages(path: str) -> dict[str, str] | None:
    """name -> version range of what the package.json above ``path`` declares (dependencies
    and devDependencies), or None without one. Cached until the manifest's mtime changes."""
    folder = manifest_folder(path, "package.json")
    if folder is None:
        return None
    manifest = os.path.join(folder, "package.json")
    try:
        stamp = os.stat(manifest).st_mtime
    except OSError:
        return None
    cached = _cache.get(manifest)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    found: dict[str, str] | None = None
    text = read_utf8(manifest)
    try:
        data = json.loads(text) if text else None
    except ValueError:
        data = None
    if isinstance(data, dict):
        found = {}
        for key in ("dependencies", "devDependencies", "peerDependencies"):
            section = data.get(key)
            if isinstance(section, dict):
                found.update({str(k): str(v) for k, v in section.items()})
    _cache[manifest] = (stamp, found)
    return found


def major_version(spec: str | None) -> int | None:
    """``^4.18.2`` -> 4; ``5.0.0-beta`` -> 5; a tag or URL -> None."""
    if not spec:
        return None
    match = re.search(r"(\d+)", spec)
    return int(match.group(1)) if match else None


# A wrapper factory: it returns an ``(req, res, next)`` middleware and hands a rejection to
# ``next`` (``catch (e) { next(e) }`` or ``.catch(next)``) -- express-async-handler written by
# hand, applied where the routes are registered, which a handler's own file does not show.
_RETURNS_MIDDLEWARE = re.compile(
    r"return\s+(async\s+)?(function\s*\w*\s*)?\(\s*\w+\s*,\s*\w+\s*,\s*(\w+)\s*\)"
)
_FORWARDS = re.compile(r"catch\s*\(\s*(\w+)\s*\)\s*\{\s*(\w+)\(\s*\1\s*\)|\.catch\(\s*(\w+)\s*\)")
_SOURCE = re.compile(r"\.[cm]?[jt]sx?$")
_MAX_FILES = 2000
_wrapper_cache: dict[str, tuple[float, bool]] = {}


def defines_async_wrapper(text: str) -> bool:
    for match in _RETURNS_MIDDLEWARE.finditer(text):
        next_name = match.group(3)
        for forward in _FORWARDS.finditer(text, match.end()):
            if next_name in (forward.group(2), forward.group(3)):
                return True
    return False


def node_async_wrapper(path: str) -> bool:
    """Whether the package above ``path`` defines such a wrapper (cached per package.json
    mtime: a long-lived server sees a new wrapper after the manifest changes or a restart)."""
    folder = manifest_folder(path, "package.json")
    if folder is None:
        return False
    try:
        stamp = os.stat(os.path.join(folder, "package.json")).st_mtime
    except OSError:
        return False
    cached = _wrapper_cache.get(folder)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    found, seen = False, 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in SKIP_PARTS and not d.startswith(".")]
        for name in files:
            if not _SOURCE.search(name) or _TEST_FILE.search(name):
                continue
            seen += 1
            if seen > _MAX_FILES:
                break
            text = read_utf8(os.path.join(root, name)) or ""
            if "catch" in text and defines_async_wrapper(text):
                found = True
                break
        if found or seen > _MAX_FILES:
            break
    _wrapper_cache[folder] = (stamp, found)
    return found


# Browser code: a package that declares a UI framework. Its fetch/axios calls and promise
# chains run in a tab, where a backend reviewer's timeout and rejection advice does not apply.
BROWSER_PACKAGES = ("react-dom", "react-scripts", "vue", "@angular/core", "svelte", "preact")
SERVER_PACKAGES = frozenset(
    {
        "express",
        "fastify",
        "koa",
        "@nestjs/core",
        "@nestjs/common",
        "hono",
        "pg",
        "mysql2",
        "knex",
        "@prisma/client",
        "mongoose",
        "sequelize",
        "typeorm",
        "http",
        "node:http",
    }
)


# Calls a page makes: a module that uses them runs in a tab, whatever its package declares.
_DOM = re.compile(
    r"\b(document\.(createElement|getElementById|getElementsBy\w+|querySelector(All)?|body"
    r"|addEventListener|cookie)|window\.(location|addEventListener|localStorage|sessionStorage"
    r"|matchMedia|requestAnimationFrame)|customElements\.define|localStorage\."
    # a service worker: the browser runs it, between a page and the network
    r"|(self|this)\.addEventListener\(\s*[\"'](fetch|install|activate)[\"']|\.respondWith\()"
)
# Globals only a browser (a page or a web worker) has: with nothing of Node's beside them the
# module runs in a tab, whatever folder it sits in (heatflask's DotLayer.WorkerPool.js, beside
# the Flask app's modules, reads window.Worker and window.navigator).
_BROWSER_GLOBALS = re.compile(
    r"\b(window|document|navigator)\.\w|\bimportScripts\(|\bself\.(postMessage|onmessage)\b"
    r"|^(self\.)?onmessage\s*=",
    re.MULTILINE,
)
# What only Node has: a require, its process and module objects, a built-in module's import.
_NODE = re.compile(
    r"\brequire\(|\bprocess\.\w|\bmodule\.exports\b|\bexports\.\w+\s*=|\b__dirname\b"
    r"|\b__filename\b"
)
NODE_BUILTINS = frozenset(
    {"fs", "path", "http", "https", "http2", "net", "os", "child_process", "crypto", "cluster"}
    | {"stream", "worker_threads", "zlib", "dns", "tls", "url", "util", "events", "buffer"}
)
# Where a UI framework's project keeps server code: Next.js API routes (``pages/api``,
# ``app/api``), Nuxt's ``server/`` (a client's own ``lib/api/`` wrapper is not one of them).
_SERVER_ROUTE_FOLDERS = ("/pages/api/", "/app/api/", "/server/")
# Folders a web app keeps its client code in (served as is, or a bundler's input).
BROWSER_FOLDERS = frozenset({"frontend", "static", "statics", "public", "assets", "pwa", "www"})
# A Python web app's page templates: the scripts there are served with the pages (a Node
# package's ``templates/`` may hold code generators' templates, so only without a manifest).
_PAGE_FOLDERS = frozenset({"templates"})
# A bundler in a manifest that declares no server package: the package builds a page's code.
BUNDLERS = ("vite", "webpack", "rollup", "esbuild", "parcel")
_BUNDLER_SCOPES = frozenset({"@rollup", "@vitejs", "@parcel", "@webpack-cli", "@esbuild"})


def is_browser_code(
    path: str, imports: set[str], packages: dict[str, str] | None, text: str = ""
) -> bool:
    """A package that declares a UI framework or only a bundler, a file in a client-code
    folder (``frontend/``, ``static/``), one that uses the DOM (a plain script in a server's
    repository, with no manifest of its own) or browser-only globals and nothing of Node's,
    or one a Python web app serves through an asset bundle."""
    if imports & SERVER_PACKAGES:
        return False
    if _DOM.search(text):
        return True
    node = bool(_NODE.search(text)) or any(
        name.startswith("node:") or name in NODE_BUILTINS for name in imports
    )
    folder = manifest_folder(path, "package.json")
    # below the package, else below the (Python) project: a checkout under ~/static/ is not
    # one folder of browser code
    base = folder or project_root(path)
    rel = os.path.relpath(os.path.abspath(path), base) if base else path
    rel = rel.replace("\\", "/")
    if any(part in f"/{rel}" for part in _SERVER_ROUTE_FOLDERS):
        return False
    server_package = bool(packages and SERVER_PACKAGES.intersection(packages))
    if not node and not server_package and _BROWSER_GLOBALS.search(text):
        return True
    parts = set(rel.split("/")[:-1])
    if BROWSER_FOLDERS & parts or (folder is None and _PAGE_FOLDERS & parts):
        return True
    if not node and served_by_bundle(path, project_root(path)):
        return True
    if not packages:
        return False
    if any(p in packages for p in BROWSER_PACKAGES):
        return True
    return not server_package and any(
        p in BUNDLERS or p.split("/")[0] in _BUNDLER_SCOPES for p in packages
    )
