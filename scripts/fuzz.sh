#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for FUZZ_SECONDS each, one after the other, and prints
# executions and crashes per target. Installs what it needs on a fresh machine: a nightly
# toolchain (or, failing that, the stable one with RUSTC_BOOTSTRAP=1) and cargo-fuzz.
#
#   FUZZ_SECONDS   seconds per target (default 60; `make fuzz-ci` uses a few)
#   FUZZ_TARGETS   space-separated targets (default: all of fuzz/Cargo.toml)
#   FUZZ_SANITIZER none (default: the core forbids unsafe code) or address
#   FUZZ_CACHE     where builds, corpora and crash artifacts go (default .cache/fuzz)
#
# Seeds come from tests/vectors/ (fuzz/seeds.py), written afresh into FUZZ_CACHE/seeds on each
# run; what libFuzzer finds accumulates in FUZZ_CACHE/corpus between local runs. A crash input
# is left in FUZZ_CACHE/artifacts/<target>/: turn it into a vector in tests/vectors/fuzz/.
# Exits non-zero if any target crashed or could not run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

CARGO_FUZZ_VERSION=0.13.1
seconds=${FUZZ_SECONDS:-60}
sanitizer=${FUZZ_SANITIZER:-none}
cache=${FUZZ_CACHE:-.cache/fuzz}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
started=$(date +%s)

# A nightly compiler for -Z flags and sanitizer coverage; the stable one with RUSTC_BOOTSTRAP=1
# accepts the same flags when nightly cannot be installed.
if rustup run nightly rustc --version >/dev/null 2>&1 \
    || timeout 120 rustup toolchain install nightly --profile minimal >&2; then
    toolchain=+nightly
else
    warn "no nightly toolchain: building with the stable one and RUSTC_BOOTSTRAP=1"
    toolchain=+stable
    export RUSTC_BOOTSTRAP=1
fi

# cargo-fuzz, pinned; installed once into ~/.cargo/bin.
cargo_bin=${CARGO_HOME:-$HOME/.cargo}/bin
export PATH="$cargo_bin:$PATH"
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
    say "installing cargo-fuzz $CARGO_FUZZ_VERSION"
    timeout 600 cargo install cargo-fuzz --version "=$CARGO_FUZZ_VERSION" --locked >&2
fi
command -v python3 >/dev/null || apt_install python3

all_targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^ocikit-fuzz$')
targets=${FUZZ_TARGETS:-$all_targets}

say "seed corpora from tests/vectors"
rm -rf "$cache/seeds"
python3 fuzz/seeds.py tests/vectors "$cache/seeds" >&2

say "building the fuzz targets ($toolchain, sanitizer $sanitizer)"
build_started=$(date +%s)
# One build of every target when all run (they share their dependencies); else one by one.
build_list=${FUZZ_TARGETS:+$targets}
for target in ${build_list:-""}; do
    (cd fuzz && timeout 900 nice -n 10 cargo "$toolchain" fuzz build -s "$sanitizer" \
        --target-dir "$cache/target" $target) >&2
done
build_seconds=$(( $(date +%s) - build_started ))
binaries="$cache/target/$(rustc -vV | sed -n 's/^host: //p')/release"

summary=()
failed=0
for target in $targets; do
    corpus="$cache/corpus/$target"
    artifacts="$cache/artifacts/$target"
    seeds="$cache/seeds/$target"
    log="$cache/logs/$target.log"
    mkdir -p "$corpus" "$artifacts" "$seeds" "$(dirname "$log")"
    say "fuzzing $target for ${seconds}s"
    status=0
    # -timeout: one input running longer than 30 s is a hang; -rss_limit_mb: a memory blow-up.
    # The binary cargo fuzz built, run directly: `cargo fuzz run` would rebuild first whenever a
    # source changed since, and the run would then test other code than the build step did.
    nice -n 10 "$binaries/$target" "$corpus" "$seeds" \
        -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" -close_fd_mask=1 >"$log" 2>&1 || status=$?
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    crash=$(grep -o "Test unit written to .*" "$log" | tail -1 | sed 's/Test unit written to //' || true)
    crashes=0
    if [ "$status" -ne 0 ]; then
        crashes=1
        failed=1
        warn "$target failed (exit $status); last lines of $log:"
        grep -E "panicked|ERROR|SUMMARY|Test unit" "$log" | head -8 >&2 || tail -20 "$log" >&2
    fi
    summary+=("$(printf '%-18s %6ss %12s %10s %8s  %s' "$target" "$seconds" \
        "${executions:-?}" "${per_second:-?}" "$crashes" "${crash:-}")")
done

total=$(( $(date +%s) - started ))
printf '\nfuzz summary (build %ss, total %ss, sanitizer %s)\n' "$build_seconds" "$total" "$sanitizer"
printf '%-18s %7s %12s %10s %8s  %s\n' target time executions "exec/s" crashes artifact
printf '%s\n' "${summary[@]}"
[ "$failed" -eq 0 ] || die "a fuzz target crashed: see the artifacts above"
