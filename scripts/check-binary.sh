#!/bin/sh
# Checks that a release binary is a one-file install: it may link only the C library's own
# parts (libc, libm, libgcc_s, the loader, linux-vdso), never OpenSSL or anything else a bastion
# might lack. A static (musl) binary passes too. Prints the size for the README.
#
#   scripts/check-binary.sh [BINARY]    default: $CARGO_TARGET_DIR (or target)/release/flightdeck
set -eu

bin=${1:-${CARGO_TARGET_DIR:-target}/release/flightdeck}
[ -x "$bin" ] || { echo "no binary at $bin (cargo build --release first)" >&2; exit 2; }

printf '%s: %s bytes (%s MiB)\n' "$bin" "$(wc -c <"$bin" | tr -d ' ')" \
    "$(awk -v b="$(wc -c <"$bin")" 'BEGIN { printf "%.1f", b / 1048576 }')"

# ldd exits 1 for a static binary; its words say so.
deps=$(ldd "$bin" 2>&1 || true)
echo "$deps"
if echo "$deps" | grep -qE 'not a dynamic executable|statically linked'; then
    echo "OK: static"
    exit 0
fi
extra=$(echo "$deps" | grep -vE '^\s*(linux-vdso\.so|libc\.so|libm\.so|libgcc_s\.so|/lib64/ld-linux|ld-linux)' || true)
if [ -n "$extra" ]; then
    echo "FAIL: links more than libc:" >&2
    echo "$extra" >&2
    exit 1
fi
echo "OK: libc only"
