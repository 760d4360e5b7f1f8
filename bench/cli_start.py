"""CLI start: ``ocikit digest`` of a small file, timed as a user runs it, in the same run as the
interpreter alone and ``oras version``.

Run: ``make bench-cli`` (compiles the package's bytecode first, as a wheel install has it), or
``.venv/bin/python bench/cli_start.py [--runs N] [--strict] [--baseline DIR]``.

Every figure is a new process, started and waited for; the commands are interleaved run after
run, so that load from other processes hits them alike, and the best (least disturbed) and the
median run are printed. ``--baseline DIR``: a directory holding another version of the package
(``DIR/ocikit``, say ``git archive`` of an earlier commit's python/ plus the built extension),
run the same way in the same run, to measure a change. Goal (issue 12): ``ocikit digest`` of a
small file in at most 40 ms (best run). ``--strict`` exits 1 on a MISS.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_MS = 40.0
# What the console script `ocikit` runs (pip writes this wrapper), for the baseline and for
# the import profile: the same work as the installed command (`ocikit.cli:run`; a baseline
# from before it has only `main`).
ENTRY = (
    "import sys; import ocikit.cli as cli; sys.argv[0] = 'ocikit'; "
    "cli.run() if hasattr(cli, 'run') else sys.exit(cli.main())"
)


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    status = subprocess.call(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {status}")
    return seconds


def import_profile(env: dict[str, str], path: str, top: int) -> list[str]:
    """The imports of ``ocikit digest`` that cost most (``python -X importtime``), self time."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", ENTRY, "digest", path],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    rows = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line[len("import time:") :].split("|")
        rows.append((int(own), int(cumulative), name.strip()))
    total = sum(own for own, _, _ in rows)
    rows.sort(reverse=True)
    lines = [f"imports: {len(rows)} modules, {total / 1000:.1f} ms in all (self times)"]
    for own, cumulative, name in rows[:top]:
        lines.append(f"  {own / 1000:6.1f} ms  {name}  (with its imports {cumulative / 1000:.1f} ms)")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="runs of each command (default 30)")
    parser.add_argument("--strict", action="store_true", help="exit 1 if the goal is missed")
    parser.add_argument("--baseline", type=Path, help="DIR holding another version of ocikit/")
    args = parser.parse_args()

    ocikit = Path(sys.executable).with_name("ocikit")
    if not ocikit.exists():
        raise SystemExit(f"{ocikit} is missing: run make python")
    env = {**os.environ}
    work = Path(tempfile.mkdtemp(prefix="ocikit-bench-cli-"))
    try:
        small = work / "small.txt"
        small.write_bytes(b"hello, registry\n" * 64)  # 1 KiB
        commands: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c pass": ([sys.executable, "-c", "pass"], env),
            "ocikit digest FILE": ([str(ocikit), "digest", str(small)], env),
        }
        if args.baseline:
            base_env = {**env, "PYTHONPATH": str(args.baseline.resolve())}
            commands["baseline: ocikit digest FILE"] = (
                [sys.executable, "-c", ENTRY, "digest", str(small)],
                base_env,
            )
            commands["this tree, same form"] = (
                [sys.executable, "-c", ENTRY, "digest", str(small)],
                env,
            )
        oras = ROOT / ".cache" / "tools" / "bin" / "oras"
        oras_path = str(oras) if oras.exists() else shutil.which("oras")
        if oras_path:
            commands["oras version"] = ([oras_path, "version"], env)

        for cmd, cmd_env in commands.values():  # warm the page cache
            timed(cmd, cmd_env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, (cmd, cmd_env) in commands.items():
                times[name].append(timed(cmd, cmd_env))
        load = os.getloadavg()

        print(
            f"Start-up, {args.runs} runs each, interleaved (load average {load[0]:.1f} "
            f"{load[1]:.1f} {load[2]:.1f}; {os.cpu_count()} CPUs)"
        )
        print(f"{'command':<30} {'best ms':>8} {'median ms':>10}")
        best: dict[str, float] = {}
        for name, values in times.items():
            values.sort()
            best[name] = values[0] * 1000
            print(f"{name:<30} {values[0] * 1000:>8.1f} {values[len(values) // 2] * 1000:>10.1f}")
        floor = best["python -c pass"]
        ours = best["ocikit digest FILE"]
        print(f"\nocikit digest above the interpreter's own start: {ours - floor:.1f} ms")
        if args.baseline:
            base = best["baseline: ocikit digest FILE"]
            same = best["this tree, same form"]
            print(
                f"baseline {base:.1f} ms -> this tree {same:.1f} ms "
                f"({base - same:+.1f} ms, {same / base:.2f}x the baseline's time)"
            )
        print()
        for line in import_profile(env, str(small), 10):
            print(line)
        print()
        met = ours <= GOAL_MS
        print(f"{'PASS' if met else 'MISS'}  ocikit digest of a 1 KiB file <= {GOAL_MS:.0f} ms (best run: {ours:.1f} ms)")
        if load[0] > 1.5:
            print(
                f"      (load average {load[0]:.1f} on {os.cpu_count()} CPUs: other processes "
                "slowed every command; compare with the interpreter's start in the same run)"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
