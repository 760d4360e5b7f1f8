"""Makes SECURITY.md's table of hostile cases from a run of the suite.

    .venv/bin/python -m pytest tests/hostile        # writes .cache/hostile-results.json
    .venv/bin/python tests/hostile/report.py        # prints the Markdown table
    .venv/bin/python tests/hostile/report.py --write  # replaces the table in SECURITY.md

With ``.cache/hostile-results-before.json`` (a run of the CLI and the Python API of the code as
it was before issue 9, see SECURITY.md), a column shows what that code did in each case.

The table sits between the markers ``<!-- hostile-table:start -->`` and
``<!-- hostile-table:end -->`` of SECURITY.md.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / ".cache" / "hostile-results.json"
BEFORE = ROOT / ".cache" / "hostile-results-before.json"
SECURITY = ROOT / "SECURITY.md"
START, END = "<!-- hostile-table:start -->", "<!-- hostile-table:end -->"
SURFACES = ("cli", "python", "python-async", "js")


def cell(result: dict | None) -> str:
    if result is None:
        return "—"
    mark = "pass" if not result["problems"] else "**FAIL**"
    return f"{result['outcome']} {result['seconds']:.1f} s {result['rss_mb']:.0f} MiB ({mark})"


def _why(result: dict) -> str:
    """The failed check that says most, short: a leak or a bound first, else the outcome."""
    problems = [p.splitlines()[0] for p in result["problems"]]
    other = [p.split(": ", 1)[0] for p in problems if not p.startswith("outcome ")]
    if other:
        return other[0][:70]
    return "" if result["outcome"].startswith("foreign:") else "wrong code"


def before_cell(results: dict[str, dict]) -> str:
    """What the old code did: the CLI's and the Python API's outcomes and the first reason they
    failed (one entry when both did the same)."""
    parts = []
    for surface in ("cli", "python"):
        result = results.get(surface)
        if result is not None:
            why = _why(result) if result["problems"] else "pass"
            why = f" ({why})" if why else ""
            parts.append(f"{result['outcome']}{why}")
    if len(parts) == 2 and parts[0] == parts[1]:
        parts = [parts[0]]
    return " / ".join(parts).replace("|", "\\|") or "—"


def table(results: list[dict], before: list[dict] | None = None) -> str:
    by_case: dict[str, dict[str, dict]] = defaultdict(dict)
    order: list[str] = []
    info: dict[str, dict] = {}
    for result in results:
        if result["case"] not in by_case:
            order.append(result["case"])
        by_case[result["case"]][result["surface"]] = result
        info[result["case"]] = result
    total = len(results)
    failed = sum(1 for r in results if r["problems"])
    lines = [
        f"{total} runs ({len(order)} cases; CLI {sum(r['surface'] == 'cli' for r in results)}, "
        f"Python {sum(r['surface'] == 'python' for r in results)}, "
        f"Python asyncio {sum(r['surface'] == 'python-async' for r in results)}, "
        f"JS {sum(r['surface'] == 'js' for r in results)}): {total - failed} pass, {failed} fail.",
        "Each cell: outcome, wall time, peak RSS of the process.",
        "",
        "| # | case | what the registry or layout does | expected "
        "| CLI | Python | Python asyncio | JS |" + (" before (CLI / Python) |" if before else ""),
        "| --- | --- | --- | --- | --- | --- | --- | --- |" + (" --- |" if before else ""),
    ]
    old: dict[str, dict[str, dict]] = defaultdict(dict)
    for result in before or []:
        old[result["case"]][result["surface"]] = result
    for case in order:
        first = info[case]
        expected = " or ".join(first["expected"])
        cells = " | ".join(cell(by_case[case].get(s)) for s in SURFACES)
        what = first["what"].replace("|", "\\|")
        extra = f" {before_cell(old[case])} |" if before else ""
        lines.append(f"| {first['item']} | `{case}` | {what} | {expected} | {cells} |{extra}")
    failures = [r for r in results if r["problems"]]
    if failures:
        lines += ["", "Failing runs and why:", ""]
        for r in failures:
            why = "; ".join(p.splitlines()[0][:220] for p in r["problems"]).replace("|", "\\|")
            lines.append(f"- `{r['surface']}-{r['case']}`: {why}")
    return "\n".join(lines)


def main() -> int:
    results = json.loads(RESULTS.read_text())
    before = json.loads(BEFORE.read_text()) if BEFORE.exists() else None
    text = table(results, before)
    if "--write" in sys.argv:
        security = SECURITY.read_text()
        head, rest = security.split(START, 1)
        _, tail = rest.split(END, 1)
        SECURITY.write_text(f"{head}{START}\n{text}\n{END}{tail}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
