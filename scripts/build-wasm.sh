#!/usr/bin/env bash
# Builds the wasm module and assembles the npm package in bindings-wasm/pkg/.
#
# Toolchain (see DESIGN.md, "Toolchain facts"): the rustup wasm32-unknown-unknown target, added
# with a time limit when missing; if that fails, Debian's rustc-web building std for the target.
# OCIKIT_WASM_TOOLCHAIN=rustup|debian forces one path (auto by default).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib.sh

mode=${OCIKIT_WASM_TOOLCHAIN:-auto}
target=wasm32-unknown-unknown
# simd128 speeds sha2 up by about a fifth; every current browser and Node 20 support it.
export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+simd128"

have_rustup_target() {
    rustup target list --installed 2>/dev/null | grep -qx "$target"
}

build_rustup() {
    if ! have_rustup_target; then
        say "adding the rustup $target target (time limit 120 s)"
        timeout 120 rustup target add "$target" || return 1
    fi
    say "building ocikit-wasm with rustup's $target target"
    cargo build --release --target "$target" -p ocikit-wasm --target-dir target
    wasm_file=target/$target/release/ocikit_wasm.wasm
}

build_debian() {
    # rust-lld ships with the rustup host toolchain; find it before /usr/bin leads PATH.
    local lld
    lld="$(rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld"
    [ -x "$lld" ] || die "rust-lld not found at $lld"
    if [ ! -d /usr/lib/rustlib/src/rust/library ] || [ ! -x /usr/bin/cargo ]; then
        apt_install rustc-web cargo-web rust-web-src
    fi
    say "building ocikit-wasm with Debian's rustc-web and -Zbuild-std"
    PATH=/usr/bin:$PATH RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
        CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$lld" \
        /usr/bin/cargo build --release --target "$target" -p ocikit-wasm \
        -Zbuild-std=std,panic_abort --target-dir target/wasm-debian
    wasm_file=target/wasm-debian/$target/release/ocikit_wasm.wasm
}

case "$mode" in
    rustup) build_rustup || die "the rustup $target target is not available" ;;
    debian) build_debian ;;
    auto) build_rustup || { warn "rustup $target failed; falling back to Debian rustc-web"; build_debian; } ;;
    *) die "OCIKIT_WASM_TOOLCHAIN must be auto, rustup or debian" ;;
esac

# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in Cargo.lock.
version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
[ -n "$version" ] || die "wasm-bindgen is not in Cargo.lock"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$version" ]; then
    say "installing wasm-bindgen-cli $version (takes a few minutes)"
    cargo install wasm-bindgen-cli --version "=$version"
fi

pkg=bindings-wasm/pkg
rm -rf "$pkg"
mkdir -p "$pkg/wasm"
wasm-bindgen --target web --out-dir "$pkg/wasm" --out-name ocikit_wasm "$wasm_file"
# The hand-written npm surface: package.json, ESM entries, TypeScript types, README.
cp -R bindings-wasm/npm/. "$pkg/"
say "npm package ready in $pkg ($(du -sh "$pkg" | cut -f1))"
