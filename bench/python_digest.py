"""ocikit.digest and ocikit.digest_file against hashlib, the speed every Python user has.

Run: .venv/bin/python bench/python_digest.py [--strict]   (about a minute; see bench/README.md)

Each figure is the best of several timed rounds, with ocikit and hashlib rounds interleaved so
that both see the same machine. Goals: at least 0.95x hashlib's throughput from 64 KiB up, at
most 2x hashlib's time per call at 1 KiB. --strict exits 1 when a goal is missed.

A second table puts ocikit's blake3 (the blake3 crate, which hashlib lacks) next to its sha256;
it has no goal, only figures.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from typing import Callable

import ocikit

KiB, MiB = 1 << 10, 1 << 20
SIZES = [1 * KiB, 64 * KiB, 1 * MiB, 64 * MiB]
FILE_SIZE = 256 * MiB
ROUND_SECONDS = 0.1  # the length of one timed round
ROUNDS = 7


def best_time(calls: dict[str, Callable[[], object]], number: int, rounds: int) -> dict[str, float]:
    """The best time per call of each callable over ``rounds`` interleaved rounds."""
    best = {name: float("inf") for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            start = time.perf_counter()
            for _ in range(number):
                call()
            best[name] = min(best[name], (time.perf_counter() - start) / number)
    return best


def one_shot_calls(data: bytes) -> dict[str, Callable[[], object]]:
    return {
        "hashlib": lambda: hashlib.sha256(data).hexdigest(),
        "ocikit": lambda: ocikit.digest(data),
    }


def calls_per_round(call: Callable[[], object]) -> int:
    start = time.perf_counter()
    call()
    once = max(time.perf_counter() - start, 1e-7)
    return max(1, int(ROUND_SECONDS / once))


def hashlib_file_digest(path: str) -> str:
    with open(path, "rb") as file:
        if sys.version_info >= (3, 11):
            return "sha256:" + hashlib.file_digest(file, "sha256").hexdigest()
        # What file_digest does on 3.11+: readinto a reused 256 KiB buffer.
        digest = hashlib.sha256()
        view = memoryview(bytearray(1 << 18))
        while count := file.readinto(view):
            digest.update(view[:count])
        return "sha256:" + digest.hexdigest()


def mb_per_s(size: int, seconds: float) -> float:
    return size / seconds / 1e6


def duration(seconds: float) -> str:
    return f"{seconds * 1e6:.2f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.1f} ms"


def print_row(label: str, size: int, best: dict[str, float]) -> None:
    hashlib_time, ocikit_time = best["hashlib"], best["ocikit"]
    print(
        f"{label:<24}{mb_per_s(size, hashlib_time):>10.0f}{mb_per_s(size, ocikit_time):>10.0f}"
        f"{hashlib_time / ocikit_time:>15.2f}x"
        f"{duration(hashlib_time):>12} / {duration(ocikit_time)}"
    )


def blake3_table() -> None:
    """ocikit.digest with blake3 next to sha256 (both ocikit, hashlib's sha256 for reference)."""
    header = f"{'input':<24}{'hashlib':>10}{'ocikit':>10}{'ocikit':>10}{'blake3/sha256':>16}"
    print(header)
    print(f"{'':<24}{'sha256':>10}{'sha256':>10}{'blake3':>10}{'throughput':>16}")
    print(f"{'':<24}{'MB/s':>10}{'MB/s':>10}{'MB/s':>10}")
    print("-" * len(header))
    for size in SIZES:
        data = bytes(range(256)) * (size // 256)
        calls: dict[str, Callable[[], object]] = {
            "hashlib": lambda: hashlib.sha256(data).hexdigest(),
            "sha256": lambda: ocikit.digest(data),
            "blake3": lambda: ocikit.digest(data, "blake3"),
        }
        number = calls_per_round(calls["sha256"])
        best = best_time(calls, number, ROUNDS if size < 64 * MiB else 5)
        label = f"digest {size // KiB} KiB" if size < MiB else f"digest {size // MiB} MiB"
        print(
            f"{label:<24}{mb_per_s(size, best['hashlib']):>10.0f}"
            f"{mb_per_s(size, best['sha256']):>10.0f}{mb_per_s(size, best['blake3']):>10.0f}"
            f"{best['sha256'] / best['blake3']:>15.2f}x"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 if a goal is missed")
    args = parser.parse_args()

    print(f"ocikit {ocikit.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print()
    header = (
        f"{'input':<24}{'hashlib':>10}{'ocikit':>10}{'ocikit/hashlib':>16}{'time per call':>24}"
    )
    print(header)
    print(f"{'':<24}{'MB/s':>10}{'MB/s':>10}{'throughput':>16}{'hashlib / ocikit':>24}")
    print("-" * len(header))

    goals: list[tuple[str, bool]] = []
    for size in SIZES:
        data = bytes(range(256)) * (size // 256)
        expected = "sha256:" + hashlib.sha256(data).hexdigest()
        assert ocikit.digest(data) == expected
        calls = one_shot_calls(data)
        number = calls_per_round(calls["hashlib"])
        best = best_time(calls, number, ROUNDS if size < 64 * MiB else 5)
        ratio = best["hashlib"] / best["ocikit"]  # throughput ratio = inverse time ratio
        label = f"digest {size // KiB} KiB" if size < MiB else f"digest {size // MiB} MiB"
        print_row(label, size, best)
        if size == 1 * KiB:
            time_ratio = best["ocikit"] / best["hashlib"]
            goals.append(
                (f"1 KiB: time per call <= 2x hashlib (is {time_ratio:.2f}x)", time_ratio <= 2)
            )
        else:
            goals.append((f"{label}: throughput >= 0.95x hashlib (is {ratio:.2f}x)", ratio >= 0.95))

    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "blob")
        chunk = os.urandom(MiB)
        with open(path, "wb") as file:
            for _ in range(FILE_SIZE // MiB):
                file.write(chunk)
        assert ocikit.digest_file(path) == hashlib_file_digest(path)  # also warms the page cache
        best = best_time(
            {
                "hashlib": lambda: hashlib_file_digest(path),
                "ocikit": lambda: ocikit.digest_file(path),
            },
            number=1,
            rounds=5,
        )
    ratio = best["hashlib"] / best["ocikit"]
    label = f"digest_file {FILE_SIZE // MiB} MiB"
    print_row(label, FILE_SIZE, best)
    goals.append(
        (
            f"{label} (warm cache): throughput >= 0.95x hashlib.file_digest (is {ratio:.2f}x)",
            ratio >= 0.95,
        )
    )

    print()
    blake3_table()

    print()
    for text, met in goals:
        print(f"{'PASS' if met else 'MISS'}  {text}")
    return 1 if args.strict and not all(met for _, met in goals) else 0


if __name__ == "__main__":
    sys.exit(main())
