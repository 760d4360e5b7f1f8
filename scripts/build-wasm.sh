#!/usr/bin/env bash
# Builds the wasm modules (full and lite) and assembles the npm package in bindings-wasm/pkg/.
#
# Toolchain (see DESIGN.md, "Toolchain facts"): the rustup wasm32-unknown-unknown target, added
# with a time limit when missing; if that fails, Debian's rustc-web building std for the target.
# OCIKIT_WASM_TOOLCHAIN=rustup|debian forces one path (auto by default).
#
# Size (issue 12; bench/README.md has the figures and a twiggy profile): the Cargo profile
# `wasm-release` (opt-level "z", the hashing crates at opt-level 3); std rebuilt for size
# (-Zbuild-std with optimize_for_size, std's own crates still at opt-level 3, no panic location
# strings) when rustup's rust-src is there or can be added; then wasm-opt -Oz from the npm
# package binaryen (pinned in scripts/wasm-opt/package-lock.json; Debian's binaryen is too old
# for what rustc emits). OCIKIT_WASM_OPT=0 skips wasm-opt; OCIKIT_WASM_BUILD_STD=0 uses the
# prebuilt std (5% larger gzipped, same SHA-256 throughput; bench/README.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib.sh

mode=${OCIKIT_WASM_TOOLCHAIN:-auto}
target=wasm32-unknown-unknown
profile=wasm-release
# simd128 speeds sha2 up by about a fifth; every current browser and Node 20 support it.
export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+simd128"

have_rustup_target() {
    rustup target list --installed 2>/dev/null | grep -qx "$target"
}

# The builds run as `build_rustup || …`, where `set -e` does not apply inside the function: a
# failed cargo build must stop the script itself (else the last module built would be packaged).
build_rustup() {
    if ! have_rustup_target; then
        say "adding the rustup $target target (time limit 120 s)"
        timeout 120 rustup target add "$target" || return 1
    fi
    wasm_file=target/$target/$profile/ocikit_wasm.wasm
    if [ "${OCIKIT_WASM_BUILD_STD:-1}" = 1 ] && { have_rust_src || timeout 120 rustup component add rust-src; }; then
        say "building ocikit-wasm with rustup's $target target, std rebuilt for size"
        # RUSTC_BOOTSTRAP: -Zbuild-std, location-detail and panic=immediate-abort on the stable
        # compiler (as the Debian path below and cargo fuzz do).
        # A target dir of its own: other wasm32 builds (clippy) use other flags. The std crates
        # keep opt-level 3, as the prebuilt std has it: at "z" (the profile's level) the
        # allocator, memcmp and string code made JS validate 25% slower for 1.8% of gzip size.
        local std_opt=()
        for crate in core alloc std dlmalloc compiler_builtins; do
            std_opt+=(--config "profile.$profile.package.$crate.opt-level=3")
        done
        # No file/line/column strings for panic locations (a panic is a trap here either way).
        # OCIKIT_WASM_IMMEDIATE_ABORT=1 also makes panics abort without formatting a message:
        # 3% smaller gzipped, but SHA-256 measured 3-4% slower (outside issue 12's 3%).
        local flags="-Zlocation-detail=none"
        if [ "${OCIKIT_WASM_IMMEDIATE_ABORT:-0}" = 1 ]; then
            flags="$flags -Zunstable-options -Cpanic=immediate-abort"
        fi
        RUSTC_BOOTSTRAP=1 RUSTFLAGS="$RUSTFLAGS $flags" \
            cargo build --profile "$profile" --target "$target" -p ocikit-wasm "${features[@]}" --target-dir target/wasm-std \
            -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size "${std_opt[@]}" ||
            die "cargo build of ocikit-wasm failed"
        wasm_file=target/wasm-std/$target/$profile/ocikit_wasm.wasm
    else
        say "building ocikit-wasm with rustup's $target target"
        cargo build --profile "$profile" --target "$target" -p ocikit-wasm "${features[@]}" --target-dir target ||
            die "cargo build of ocikit-wasm failed"
    fi
}

have_rust_src() {
    rustup component list --installed 2>/dev/null | grep -q '^rust-src'
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
        /usr/bin/cargo build --profile "$profile" --target "$target" -p ocikit-wasm "${features[@]}" \
        -Zbuild-std=std,panic_abort --target-dir target/wasm-debian ||
        die "cargo build of ocikit-wasm failed"
    wasm_file=target/wasm-debian/$target/$profile/ocikit_wasm.wasm
}

# Builds one module with the cargo arguments in `features`; sets wasm_file. Both modules share
# their target directory: the second build reuses std and the core, and only links again.
build() {
    case "$mode" in
        rustup) build_rustup || die "the rustup $target target is not available" ;;
        debian) build_debian ;;
        auto) build_rustup || { warn "rustup $target failed; falling back to Debian rustc-web"; build_debian; mode=debian; } ;;
        *) die "OCIKIT_WASM_TOOLCHAIN must be auto, rustup or debian" ;;
    esac
}

# Two modules (bindings-wasm/src/lib.rs): the full one (`ocikit`, `ocikit/manual`, Node), and the
# lite one for `ocikit/lite`, without the `registry` feature. Each is copied out before the next
# build overwrites the file.
built=target/wasm-modules
mkdir -p "$built"
features=()
build
cp "$wasm_file" "$built/ocikit_wasm.wasm"
features=(--no-default-features)
build
cp "$wasm_file" "$built/ocikit_lite.wasm"

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
if [ "${OCIKIT_WASM_OPT:-1}" != 0 ]; then
    command -v npm >/dev/null || die "npm is required for wasm-opt (the npm package binaryen)"
    pinned=$(node -p 'require("./scripts/wasm-opt/package-lock.json").packages["node_modules/binaryen"].version')
    installed=$(node -p 'require("./scripts/wasm-opt/node_modules/binaryen/package.json").version' 2>/dev/null || true)
    if [ "$installed" != "$pinned" ]; then
        say "installing binaryen (wasm-opt) from npm, pinned in scripts/wasm-opt/package-lock.json"
        (cd scripts/wasm-opt && npm ci --no-audit --no-fund --loglevel=error)
    fi
fi
for name in ocikit_wasm ocikit_lite; do
    wasm-bindgen --target web --out-dir "$pkg/wasm" --out-name "$name" "$built/$name.wasm"
    module="$pkg/wasm/${name}_bg.wasm"
    if [ "${OCIKIT_WASM_OPT:-1}" != 0 ]; then
        before=$(stat -c %s "$module")
        # Features the module uses (rustc's wasm32 defaults and simd128); wasm-opt adds those its
        # target_features section names. Without -g the name section goes too.
        scripts/wasm-opt/node_modules/.bin/wasm-opt -Oz \
            --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
            --enable-sign-ext --enable-mutable-globals \
            -o "$module.opt" "$module"
        mv "$module.opt" "$module"
        say "wasm-opt -Oz ($name): $before -> $(stat -c %s "$module") bytes"
    fi
done
# The hand-written npm surface: package.json, ESM entries, TypeScript types, README.
cp -R bindings-wasm/npm/. "$pkg/"
# The shipped build of ocikit/elements (issue 14's size budget): one minified ES module,
# dist/elements.js, bundled by esbuild from npm (pinned in scripts/elements-build/package-lock.json).
pinned=$(node -p 'require("./scripts/elements-build/package-lock.json").packages["node_modules/esbuild"].version')
installed=$(node -p 'require("./scripts/elements-build/node_modules/esbuild/package.json").version' 2>/dev/null || true)
if [ "$installed" != "$pinned" ]; then
    say "installing esbuild from npm, pinned in scripts/elements-build/package-lock.json"
    (cd scripts/elements-build && npm ci --no-audit --no-fund --loglevel=error)
fi
node scripts/elements-build/build.mjs "$pkg"
say "npm package ready in $pkg ($(du -sh "$pkg" | cut -f1))"
