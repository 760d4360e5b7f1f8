"""Runs one hostile case through ocikit's Python API, in its own process (so that its peak RSS
is its own), and prints the outcome as one JSON line: ``{"ok": true}``, ``{"code": …}`` for an
``OciError``, or ``{"foreign": …}`` for anything else (what the suite forbids).

Usage: ``python py_driver.py '<json job>'`` (the job is built by drivers.py).
"""

from __future__ import annotations

import json
import ssl
import sys
import traceback
from pathlib import Path
from typing import Any


def client(job: dict[str, Any]) -> Any:
    import ocikit

    kwargs: dict[str, Any] = {"plain_http": job["plain_http"]}
    if job.get("credentials"):
        kwargs["credentials"] = tuple(job["credentials"])
    limits = job.get("limits") or {}
    if job.get("ca_file"):
        # The API trusts a private CA through the transport's SSL context.
        context = ssl.create_default_context(cafile=job["ca_file"])
        stall = limits.get("stall_timeout_ms", 30_000) / 1000
        kwargs["transport"] = ocikit.StdlibTransport(timeout=stall, ssl_context=context)
    if job.get("chunk_size"):
        kwargs["chunk_size"] = job["chunk_size"]
    if limits:
        # The Limits the core applies (names of registry::Limits), as the Python host takes them.
        if hasattr(ocikit, "Limits"):
            kwargs["limits"] = ocikit.Limits(**limits)
        else:
            kwargs.update(limits)
    return ocikit.Client(job["registry"], **kwargs)


def run(job: dict[str, Any]) -> Any:
    import ocikit

    op, ref, out = job["op"], job.get("ref"), job.get("out")
    if op.startswith("layout-"):
        layout = ocikit.OciLayout(job["layout"], create=False)
        if op == "layout-pull":
            kwargs = {"keep_old_files": True} if job.get("keep_old_files") else {}
            return len(layout.pull("latest", out, **kwargs).files)
        if op == "layout-verify":
            return layout.verify().valid
        if op == "layout-fetch":
            return layout.fetch("latest").digest
        if op == "layout-copy":
            with client(job) as c:
                return ocikit.copy(layout, "latest", c, ref).digest
        raise ValueError(op)
    with client(job) as c:
        if op == "fetch":
            return c.fetch(ref).digest
        if op == "pull":
            kwargs = {"keep_old_files": True} if job.get("keep_old_files") else {}
            return [str(p) for p in c.pull(ref, out, **kwargs).files]
        if op in ("blob-fetch", "blob-fetch-memory"):
            descriptor = ocikit.Descriptor(
                media_type="application/octet-stream", digest=job["digest"], size=job["size"]
            )
            path = None if op == "blob-fetch-memory" else f"{out}/blob.bin"
            data = c.fetch_blob(ref, descriptor, path)
            return None if data is None else len(data)
        if op in ("push", "push-chunked"):
            packed = ocikit.pack(
                [ocikit.File("hello.txt", job["data"].encode(), media_type="text/plain")],
                artifact_type="application/vnd.hostile.test.config.v1+json",
            )
            pushed = c.push(ref, packed)  # a PushOutcome (or, before it, the Descriptor)
            return getattr(pushed, "descriptor", pushed).digest
        if op == "push-manifest":
            data = Path(job["work"], "in", "manifest.json").read_bytes()
            return c.push_manifest(ref, data).digest
        if op == "tags":
            return len(c.list_tags(ref))
        if op == "tags-iterate":  # a registry UI showing the first 2,500 tags
            taken = 0
            for _ in c.iter_tags(ref):
                taken += 1
                if taken == 2500:
                    break
            return taken
        if op == "discover":
            return len(c.discover(ref))
        if op == "copy":
            layout = ocikit.OciLayout(f"{out}/layout")
            return ocikit.copy(c, ref, layout, "latest").digest
        raise ValueError(op)


def async_client(job: dict[str, Any]) -> Any:
    """The asyncio client (``ocikit.AsyncClient``, over httpx) with the job's options."""
    import httpx
    import ocikit

    options: dict[str, Any] = {"plain_http": job["plain_http"]}
    if job.get("credentials"):
        options["credentials"] = tuple(job["credentials"])
    if job.get("chunk_size"):
        options["chunk_size"] = job["chunk_size"]
    if job.get("limits"):
        options["limits"] = ocikit.Limits(**job["limits"])
    http = None
    if job.get("ca_file"):  # the API trusts a private CA through the httpx client
        http = httpx.AsyncClient(verify=ssl.create_default_context(cafile=job["ca_file"]))
    return ocikit.AsyncClient(job["registry"], http=http, **options)


async def run_async(job: dict[str, Any]) -> Any:
    import ocikit

    op, ref, out = job["op"], job.get("ref"), job.get("out")
    async with async_client(job) as c:
        if op == "fetch":
            return (await c.fetch(ref)).digest
        if op == "pull":
            kwargs = {"keep_old_files": True} if job.get("keep_old_files") else {}
            return len((await c.pull(ref, out, **kwargs)).files)
        if op in ("blob-fetch", "blob-fetch-memory"):
            descriptor = ocikit.Descriptor(
                media_type="application/octet-stream", digest=job["digest"], size=job["size"]
            )
            path = None if op == "blob-fetch-memory" else f"{out}/blob.bin"
            data = await c.fetch_blob(ref, descriptor, path)
            return None if data is None else len(data)
        if op in ("push", "push-chunked"):
            packed = ocikit.pack(
                [ocikit.File("hello.txt", job["data"].encode(), media_type="text/plain")],
                artifact_type="application/vnd.hostile.test.config.v1+json",
            )
            pushed = await c.push(ref, packed)
            return getattr(pushed, "descriptor", pushed).digest
        if op == "push-manifest":
            data = Path(job["work"], "in", "manifest.json").read_bytes()
            return await c.push_manifest(ref, data)
        if op == "tags":
            return len(await c.list_tags(ref))
        if op == "tags-iterate":
            taken = 0
            async for _ in c.iter_tags(ref):
                taken += 1
                if taken == 2500:
                    break
            return taken
        if op == "discover":
            return len(await c.discover(ref))
        raise ValueError(op)


def main() -> None:
    job = json.loads(sys.argv[1])
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))  # the interpreter's default
    try:
        from ocikit import OciError
    except BaseException as error:  # noqa: BLE001 - reported, not hidden
        print(json.dumps({"foreign": type(error).__name__, "message": str(error)}))
        return
    try:
        if job.get("asyncio"):
            import asyncio

            value = asyncio.run(run_async(job))
        else:
            value = run(job)
        outcome: dict[str, Any] = {"ok": True, "value": repr(value)[:200]}
    except OciError as error:
        outcome = {
            "code": error.code,
            "message": str(error)[:2000],
            "classes": [cls.__name__ for cls in type(error).__mro__],
        }
    except BaseException as error:  # noqa: BLE001 - a foreign exception is the finding
        outcome = {
            "foreign": type(error).__name__,
            "message": str(error)[:2000],
            "traceback": traceback.format_exc()[-4000:],
        }
    sys.stdout.flush()
    print(json.dumps(outcome), flush=True)


if __name__ == "__main__":
    main()
