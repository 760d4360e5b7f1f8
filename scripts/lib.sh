# Shared helpers for the project's shell scripts (sourced, not run).
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
warn() { printf '\033[33mwarning: %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31merror: %s\033[0m\n' "$*" >&2; exit 1; }

# Installs Debian packages that are missing; runs apt-get update once per run.
apt_install() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    say "installing Debian packages: ${missing[*]}"
    if [ -z "${OCIKIT_APT_UPDATED:-}" ]; then
        $sudo apt-get update -qq
        export OCIKIT_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Adds rustup components (clippy, rustfmt) that a minimal toolchain profile lacks.
rustup_components() {
    local installed
    installed=$(rustup component list --installed 2>/dev/null || true)
    for c in "$@"; do
        grep -q "^$c" <<<"$installed" || rustup component add "$c"
    done
}
