"""ocikit.validate against jsonschema with the official image-spec schemas, and ocikit.pack
against oras-py's manifest path, in one run.

Run: ``make bench-validate`` (= scripts/bench-validate.sh, which runs this and
bench/node/validate.mjs), or ``.venv/bin/python bench/validate_pack.py [--strict] [--quick]``.

- **validate**: ``bench/manifest-1.3k.json`` (a 1,300-byte artifact manifest: three layers,
  titles, annotations, the empty config with ``data``) as bytes, by ``ocikit.validate(bytes)``
  (parse and every rule), by ``json.loads`` alone (the floor of any Python validator), and by
  ``jsonschema`` (``Draft4Validator`` of the official v1.1.1 schemas in ../shared/oci-schemas,
  ``$ref``s resolved locally; parse included). Then each document of
  ``bench/prose-cases.json``, which the schemas accept and the spec's prose rejects: ocikit
  must reject every one with its code.
- **pack**: three 1 KiB files on disk into an artifact manifest. ocikit: ``pack`` of
  ``File.from_path`` (hashing included) and of in-memory ``File``s; oras-py 0.2.43, the steps
  of its ``push`` before the upload: ``NewManifest``, ``NewLayer`` per file (which hashes it)
  with the title annotation, ``ManifestConfig``, ``jsonschema.validate`` against its bundled
  schema, ``json.dumps`` and the manifest's SHA-256.

Every figure is the best of several interleaved rounds. Goal (issue 12): ``ocikit.validate``
at least 100x jsonschema's rate. ``--strict`` exits 1 on a MISS.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import ocikit

BENCH = Path(__file__).resolve().parent
SCHEMAS = BENCH.parents[1] / "shared" / "oci-schemas"
MANIFEST = BENCH / "manifest-1.3k.json"
PROSE = BENCH / "prose-cases.json"
ARTIFACT_TYPE = "application/vnd.example.docs.config.v1+json"


def rates(calls: dict[str, Callable[[], object]], rounds: int, seconds: float) -> dict[str, float]:
    """Calls per second of each callable: the best of ``rounds`` interleaved rounds."""
    number = {}
    for name, call in calls.items():
        call()  # warm-up, and a first estimate of the time per call
        start = time.perf_counter()
        call()
        once = max(time.perf_counter() - start, 1e-7)
        number[name] = max(1, int(seconds / once))
    best = {name: float("inf") for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            start = time.perf_counter()
            for _ in range(number[name]):
                call()
            best[name] = min(best[name], (time.perf_counter() - start) / number[name])
    return {name: 1 / t for name, t in best.items()}


def schema_validator(filename: str) -> Any:
    """A Draft4Validator of an official schema, its ``$ref``s resolved from SCHEMAS by name."""
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource
    from referencing.jsonschema import DRAFT4

    def resource(name: str) -> Resource[Any]:
        path = SCHEMAS / name
        if not path.is_file():
            raise NoSuchResource(ref=name)
        return Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT4)

    # Every file under each base URI its relative $refs resolve against, up front: a registry
    # that retrieves on demand does it again for every reference of every validation (about
    # 40x slower), which is not how anyone would run jsonschema in a loop.
    registry: Registry[Any] = Registry().with_resources(
        (f"https://opencontainers.org/schema/{base}{path.name}", resource(path.name))
        for path in SCHEMAS.glob("*.json")
        for base in ("", "image/", "image/descriptor/", "descriptor/")
    )
    return Draft4Validator(json.loads((SCHEMAS / filename).read_text()), registry=registry)


def oras_py_manifest(paths: list[str]) -> tuple[bytes, str]:
    """oras-py's manifest path (``OrasClient.push`` up to its uploads): a new manifest, a layer
    per file (hashed), the title annotations, the empty config, its jsonschema check, the
    bytes and their digest."""
    import jsonschema
    import oras.defaults
    import oras.oci
    import oras.schemas

    manifest = oras.oci.NewManifest()
    for path in paths:
        layer = oras.oci.NewLayer(path, media_type="text/markdown")
        layer["annotations"] = {oras.defaults.annotation_title: os.path.basename(path)}
        manifest["layers"].append(layer)
    config, _ = oras.oci.ManifestConfig(media_type=ARTIFACT_TYPE)
    manifest["config"] = config
    jsonschema.validate(manifest, schema=oras.schemas.manifest)
    body = json.dumps(manifest).encode()
    return body, "sha256:" + hashlib.sha256(body).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 if a goal is missed")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    args = parser.parse_args()
    rounds, seconds = (3, 0.1) if args.quick else (7, 0.25)
    if not SCHEMAS.is_dir():
        raise SystemExit(f"the official schemas are not at {SCHEMAS}")
    import jsonschema  # noqa: F401 - fail early when the dev dependencies are missing
    import oras.oci  # noqa: F401

    document = MANIFEST.read_bytes()
    validator = schema_validator("image-manifest-schema.json")
    report = ocikit.validate(document)
    if not report.valid or list(validator.iter_errors(json.loads(document))):
        raise SystemExit(f"{MANIFEST.name} must be valid to ocikit and to the schema")

    goals: list[tuple[str, bool]] = []
    print(f"validate: {MANIFEST.name} ({len(document)} bytes), best of {rounds} rounds")
    validate = rates(
        {
            "ocikit.validate": lambda: ocikit.validate(document),
            "json.loads alone": lambda: json.loads(document),
            "jsonschema (official schemas)": lambda: validator.validate(json.loads(document)),
        },
        rounds, seconds,
    )  # fmt: skip
    ours = validate["ocikit.validate"]
    print(f"{'':<32} {'per second':>11} {'µs per call':>12} {'ocikit ÷ it':>12}")
    for name, rate in validate.items():
        print(f"{name:<32} {rate:>11,.0f} {1e6 / rate:>12.2f} {ours / rate:>11.2f}×")
    ratio = ours / validate["jsonschema (official schemas)"]
    goals.append((f"ocikit.validate >= 100x jsonschema (is {ratio:.0f}x)", ratio >= 100))

    cases = json.loads(PROSE.read_text())["cases"]
    caught = 0
    for case in cases:
        text = case["document"].encode()
        schema_accepts = not list(validator.iter_errors(json.loads(text)))
        found = ocikit.validate(text)
        codes = [f.code for f in found.findings if f.severity == "error"]
        ok = schema_accepts and not found.valid and case["code"] in codes
        caught += ok
        if not ok:
            print(f"  unexpected: {case['rule']}: schema accepts {schema_accepts}, ocikit {codes}")
    goals.append(
        (
            f"ocikit.validate rejects the {len(cases)} prose-rule violations the official "
            f"schemas accept (rejects {caught})",
            caught == len(cases),
        )
    )

    with tempfile.TemporaryDirectory(prefix="ocikit-bench-pack-") as work:
        contents = [(f"chapter-{i}.md", os.urandom(512).hex().encode()) for i in range(3)]
        paths = []
        for name, data in contents:
            path = os.path.join(work, name)
            Path(path).write_bytes(data)
            paths.append(path)
        in_memory = [ocikit.File(name, data, media_type="text/markdown") for name, data in contents]

        def pack_paths() -> object:
            files = [ocikit.File.from_path(p, media_type="text/markdown") for p in paths]
            return ocikit.pack(files, artifact_type=ARTIFACT_TYPE)

        def pack_memory() -> object:
            return ocikit.pack(in_memory, artifact_type=ARTIFACT_TYPE)

        # Both describe the same three layers (digests and sizes).
        packed = json.loads(pack_paths().manifest.to_json())  # type: ignore[attr-defined]
        theirs = json.loads(oras_py_manifest(paths)[0])
        layers = lambda m: [(x["digest"], x["size"]) for x in m["layers"]]  # noqa: E731
        if layers(packed) != layers(theirs):
            raise SystemExit("ocikit and oras-py describe different layers")

        print()
        print(f"pack: three 1 KiB files into a manifest, best of {rounds} rounds")
        pack = rates(
            {
                "ocikit.pack, File.from_path": pack_paths,
                "ocikit.pack, in-memory File": pack_memory,
                "oras-py manifest path": lambda: oras_py_manifest(paths),
            },
            rounds, seconds,
        )  # fmt: skip
        print(f"{'':<32} {'per second':>11} {'µs per call':>12} {'÷ oras-py':>12}")
        for name, rate in pack.items():
            print(f"{name:<32} {rate:>11,.0f} {1e6 / rate:>12.2f} {rate / pack['oras-py manifest path']:>11.1f}×")

    load = os.getloadavg()[0]
    print(f"\n(load average {load:.1f} on {os.cpu_count()} CPUs; the ratios come from one run)")
    for text, met in goals:
        print(f"{'PASS' if met else 'MISS'}  {text}")
    return 1 if args.strict and not all(met for _, met in goals) else 0


if __name__ == "__main__":
    sys.exit(main())
