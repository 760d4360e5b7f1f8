"""Runs a command and reports its own peak RSS: ``measure.py RESULT ARGV...`` writes the child's
pid to RESULT at once, and ``<ru_maxrss KiB> <exit status>`` when it ends.

Why a launcher: Linux carries a process's RSS high-water mark over fork and exec, so a child
forked straight from pytest (which holds the hostile registry's large pages) would report
pytest's peak as its own. Forked from this small interpreter instead, the child's ru_maxrss is
its own (or this launcher's few MiB, below any surface's idle size).
"""

import os
import sys

result, argv = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
with open(result, "w") as out:
    out.write(f"{pid}\n")
_, status, usage = os.wait4(pid, 0)
with open(result, "a") as out:
    out.write(f"{usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}\n")
