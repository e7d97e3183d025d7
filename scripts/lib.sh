# Shared helpers for the project's scripts: each installs one tool if it is
# missing, so a fresh machine needs nothing by hand. Sourced, not run.

WASM_BINDGEN_VERSION=0.2.130 # must match the wasm-bindgen pin in Cargo.toml

step() { printf '\n== %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  # `apt-get update` once per run, only when something is missing.
  if [ -z "${RINGSIDE_APT_UPDATED:-}" ]; then
    as_root apt-get update -q >/dev/null
    export RINGSIDE_APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
}

ensure_wasm_target() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
}

ensure_wasm_bindgen() {
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    # No --locked: the registry copy here lacks one locked dependency.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
}

# wasm-opt comes from npm's binaryen (a current release, run by Node): Debian's
# binaryen 108 cannot parse the bulk-memory code current Rust emits.
WASM_OPT=node_modules/.bin/wasm-opt

ensure_chromium() {
  command -v chromium >/dev/null || apt_install chromium
}

# The cluster mode's engine (Debian's PostgreSQL), for its tests and
# ./scripts/cluster; the package's own server is not started.
ensure_postgres() {
  postgres_bin >/dev/null 2>&1 || apt_install postgresql
}

# The folder of the newest installed PostgreSQL's programs.
postgres_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$found" ] && [ -x "$found/initdb" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; return 1; }
  echo "$found"
}

# The second engine of the end-to-end tests, driven over WebDriver BiDi.
ensure_firefox() {
  command -v firefox-esr >/dev/null || apt_install firefox-esr
}

ensure_node_modules() {
  # Never let a tool fetch a browser of its own: Debian's Chromium and
  # Firefox ESR are used.
  if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/puppeteer-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund
  fi
}
