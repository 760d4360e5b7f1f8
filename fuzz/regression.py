#!/usr/bin/env python3
"""Adds a crash input to tests/vectors/fuzz/regressions.json.

Usage: regression.py TARGET ARTIFACT NAME "DEFECT" [OPEN]
  ARTIFACT  the file libFuzzer wrote (.cache/fuzz/artifacts/<target>/crash-…)
  DEFECT    what broke, where (file and function)
  OPEN      who owns the fix while it is not fixed (omit once fixed)
"""

import base64
import datetime
import json
import os
import sys

PATH = os.path.join(os.path.dirname(__file__), "..", "tests", "vectors", "fuzz", "regressions.json")


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__)
    target, artifact, name, defect = sys.argv[1:5]
    open_owner = sys.argv[5] if len(sys.argv) == 6 else None
    with open(PATH, encoding="utf-8") as f:
        vectors = json.load(f)
    with open(artifact, "rb") as f:
        data = f.read()
    if any(c["name"] == name for c in vectors["cases"]):
        sys.exit(f"a case named {name!r} exists")
    vectors["cases"].append({
        "name": name,
        "target": target,
        "base64": base64.b64encode(data).decode(),
        "found": f"scripts/fuzz.sh, {datetime.date.today().isoformat()}",
        "defect": defect,
        "open": open_owner,
    })
    with open(PATH, "w", encoding="utf-8") as f:
        json.dump(vectors, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
