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

# Shrinks a wasm module in place, as the package ships it (build-package;
# bench-client applies it to its replay module so it times what ships).
shrink_wasm() { # module.wasm
  if [ -x "$WASM_OPT" ]; then
    # Exactly the features Rust enables for wasm32 by default: "--all-features"
    # would let binaryen emit proposals browsers do not ship (compact imports).
    # Merging similar functions first folds generic instances that differ
    # only in constants (0.9 KB gzipped of the engine). Rust puts the stack
    # first, growing down from 1 MiB to 0, and data above it, so the lowest
    # KiB is touched only by a stack 1 MiB deep (the JSON reader stops at
    # depth 64): --low-memory-unused lets binaryen fold pointer arithmetic
    # into load and store offsets (0.5 KB gzipped of the engine).
    # Binaryen inlines every function that has one caller; past 20 bytes
    # that makes the module smaller but gzip's job harder (one large body
    # repeats less than many similar small ones): capped, the engine is
    # 3.3 KB smaller gzipped, though 2.5% larger raw. A second round on
    # the flattened, re-reloopered code, repeated while it still shrinks,
    # finds control flow the first missed (0.5 KB gzipped of the engine).
    "$WASM_OPT" --merge-similar-functions --low-memory-unused --one-caller-inline-max-function-size 20 -Oz \
      --flatten --rereloop -Oz --converge --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
      --enable-mutable-globals --enable-reference-types --enable-multivalue --strip-debug --strip-producers "$1" -o "$1"
  else
    echo "wasm-opt unavailable: $1 is built without it"
  fi
}

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
