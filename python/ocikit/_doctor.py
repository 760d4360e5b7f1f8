"""The registry doctor's host side: the core's ``ProbeRegistry`` (which sends only reads and
decides what each answer proves) driven by a :class:`ocikit.Client`, its report completed with
the profile's facts and their dated sources."""

from __future__ import annotations

from typing import Any

from ocikit._client import Client
from ocikit._ocikit import ProbeRegistry, Reference, registry_profile


def probe_registry(client: Client, target: str, profile: str | None = None) -> dict[str, Any]:
    """Probes ``target`` (``REGISTRY`` or ``REGISTRY/REPOSITORY:TAG`` of a manifest that
    exists) through ``client`` and returns the capability report: ``registry``, ``profile``
    (``profile`` when named, else the host's, else ``generic``), ``probes`` (``v2``,
    ``referrers_api``, ``tag_list``, ``delete``, ``chunked_upload``) and the profile's
    ``facts``. A registry that cannot be reached raises the transport's error
    (``NETWORK_ERROR``, ``TLS_ERROR``, ``TIMEOUT``); a refused login is in the report."""
    host, _, rest = target.partition("/")
    reference = Reference.parse(target) if rest else None
    if reference is None:
        Reference.parse(f"{host}/x")  # a host that makes a reference, or REFERENCE_INVALID
    report: dict[str, Any] = client._drive(
        ProbeRegistry(host, reference, profile=profile), client._session(host)
    )
    known = registry_profile(report["profile"])
    report["facts"] = known["facts"]
    return report
