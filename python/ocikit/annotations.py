"""The annotation keys the image-spec predefines (``annotations.md``), from the core's list.

>>> from ocikit import annotations
>>> annotations.TITLE
'org.opencontainers.image.title'

Keys under ``org.opencontainers`` are reserved for the specification; your own keys should be
reverse-domain names (``com.example.key``).
"""

from __future__ import annotations

from typing import Final

from ocikit._ocikit import ANNOTATION_KEYS as _KEYS

__all__ = [
    "AUTHORS",
    "BASE_IMAGE_DIGEST",
    "BASE_IMAGE_NAME",
    "CREATED",
    "DESCRIPTION",
    "DOCUMENTATION",
    "LICENSES",
    "REF_NAME",
    "REVISION",
    "SOURCE",
    "TITLE",
    "URL",
    "VENDOR",
    "VERSION",
]

CREATED: Final[str] = _KEYS["CREATED"]
"""Date and time the artifact was built (RFC 3339)."""
AUTHORS: Final[str] = _KEYS["AUTHORS"]
"""Contact details of the people or organisation responsible."""
URL: Final[str] = _KEYS["URL"]
"""URL to find more information."""
DOCUMENTATION: Final[str] = _KEYS["DOCUMENTATION"]
"""URL to get documentation."""
SOURCE: Final[str] = _KEYS["SOURCE"]
"""URL to get the source code."""
VERSION: Final[str] = _KEYS["VERSION"]
"""Version of the packaged software."""
REVISION: Final[str] = _KEYS["REVISION"]
"""Source control revision."""
VENDOR: Final[str] = _KEYS["VENDOR"]
"""Name of the distributing entity."""
LICENSES: Final[str] = _KEYS["LICENSES"]
"""License(s), as an SPDX License Expression."""
REF_NAME: Final[str] = _KEYS["REF_NAME"]
"""Name of the reference for a target (a tag, in an image layout's ``index.json``)."""
TITLE: Final[str] = _KEYS["TITLE"]
"""Human-readable title; for a layer, its file name."""
DESCRIPTION: Final[str] = _KEYS["DESCRIPTION"]
"""Human-readable description."""
BASE_IMAGE_DIGEST: Final[str] = _KEYS["BASE_IMAGE_DIGEST"]
"""Digest of the image this image is based on."""
BASE_IMAGE_NAME: Final[str] = _KEYS["BASE_IMAGE_NAME"]
"""Reference of the image this image is based on."""
