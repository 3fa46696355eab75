# Shared by scripts/run and scripts/test: pinned tool versions and idempotent installers.
# Each `ensure_*` checks first and installs only what is missing or at another version.
# Sourced, not executed.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CARGO_LEPTOS_VERSION="0.3.11"
CARGO_DENY_VERSION="0.20.2"
# wasm-bindgen's CLI must be exactly the library version locked in Cargo.lock.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)"

# Build outputs live outside the clone by default, so a fresh clone (CI) reuses earlier builds.
# The site (wasm, js, css) is always written to ./target/site by cargo-leptos.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/habilis/target}"
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"
SERVER_BIN="$CARGO_TARGET_DIR/server-release/server"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33m!!! %s\033[0m\n' "$*" >&2; }
die() { printf '\033[1;31mxxx %s\033[0m\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        die "root rights needed for: $* (run as root or install sudo)"
    fi
}

APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null || die "apt-get not found: install $* by hand"
    if [ "$APT_UPDATED" -eq 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

ensure_system_packages() {
    local missing=()
    for package in pkg-config libssl-dev build-essential; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        say "installing ${missing[*]}"
        apt_install "${missing[@]}"
    fi
}

ensure_rust() {
    command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs)"
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        say "adding the wasm32-unknown-unknown target"
        rustup target add wasm32-unknown-unknown
    fi
}

ensure_cargo_leptos() {
    if cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION\$"; then return; fi
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 10 minutes, once)"
    # `no_downloads`: sass, wasm-opt and wasm-bindgen come from here, not from GitHub.
    local args=(install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads)
    # It needs rustc 1.96 or newer: the stable toolchain when recent enough, else nightly, else 1.96.
    cargo "${args[@]}" && return
    if rustup toolchain list | grep -q '^nightly'; then
        cargo +nightly "${args[@]}" && return
    fi
    rustup toolchain install 1.96.0 --profile minimal && cargo +1.96.0 "${args[@]}" && return
    die "cargo-leptos $CARGO_LEPTOS_VERSION could not be installed: it needs rustc >= 1.96 (try: rustup toolchain install nightly)"
}

ensure_wasm_bindgen() {
    if wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then return; fi
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (the version in Cargo.lock)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
}

ensure_cargo_deny() {
    if cargo deny --version 2>/dev/null | grep -q " $CARGO_DENY_VERSION\$"; then return; fi
    say "installing cargo-deny $CARGO_DENY_VERSION (a few minutes, once)"
    (cd / && cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked)
}

ensure_node_packages() {
    command -v npm >/dev/null || die "npm not found: install Node.js 20"
    # Playwright and binaryen's wasm-opt (Debian's binaryen is too old: it breaks hydration).
    local stamp="$ROOT/end2end/node_modules/.habilis-lock"
    if [ -f "$stamp" ] && cmp -s "$stamp" "$ROOT/end2end/package-lock.json"; then return; fi
    say "installing end2end npm packages (Playwright, binaryen)"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund)
    cp "$ROOT/end2end/package-lock.json" "$stamp"
}

ensure_chromium() {
    if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then return; fi
    say "installing Debian's Chromium (Playwright cannot download browsers here)"
    apt_install chromium
}

ensure_tools() {
    ensure_system_packages
    ensure_rust
    ensure_node_packages
    ensure_cargo_leptos
    ensure_wasm_bindgen
}

build_release() {
    say "building the release (server and WebAssembly)"
    # `--split`: each page other than signing in is a WebAssembly chunk of its own (lazy routes).
    cargo leptos build --release --split
    # Precompressed copies for the static file service: gzip, and brotli (smaller; every
    # current browser takes it), written by Node's zlib at its best quality.
    gzip -9 -k -f target/site/pkg/*.wasm target/site/pkg/*.js target/site/pkg/*.css
    node -e '
        const { readFileSync, writeFileSync } = require("node:fs");
        const { brotliCompressSync, constants } = require("node:zlib");
        for (const file of process.argv.slice(1)) {
            const params = { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: readFileSync(file).length };
            writeFileSync(file + ".br", brotliCompressSync(readFileSync(file), { params }));
        }' target/site/pkg/*.wasm target/site/pkg/*.js target/site/pkg/*.css
}
