"""Random and hostile input never crashes the extension: it parses or raises a Python error."""

from __future__ import annotations

import random

import pytest

import ocikit

# Characters the grammars care about, plus some they reject, plus non-ASCII.
ALPHABET = "abcdefxyzABCXYZ0123456789:/+._-=;!#$&^ \t\n\x00\x7fé߀💥\u2028\ufeff"
VALID_SEEDS = [
    "sha256:" + "a" * 64,
    "sha512:" + "0" * 128,
    "multihash+base58:QmRZ",
    "application/vnd.cncf.helm.chart.config.v1+json",
    "application/vnd.acme.x.layer.v1.tar+gzip",
]


def _random_strings(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    strings = []
    for _ in range(count):
        if rng.random() < 0.5:
            # Mutate a valid value: the interesting inputs are near the grammar.
            chars = list(rng.choice(VALID_SEEDS))
            for _ in range(rng.randint(1, 4)):
                at = rng.randrange(len(chars) + 1)
                operation = rng.randrange(3)
                if operation == 0 and chars and at < len(chars):
                    del chars[at]
                elif operation == 1 and at < len(chars):
                    chars[at] = rng.choice(ALPHABET)
                else:
                    chars.insert(at, rng.choice(ALPHABET))
            strings.append("".join(chars))
        else:
            length = rng.choice([0, 1, 2, 5, 20, 64, 200])
            strings.append("".join(rng.choice(ALPHABET) for _ in range(length)))
    return strings


def _check(text: str) -> None:
    try:
        digest = ocikit.Digest.parse(text)
    except ocikit.ValidationError as error:
        assert error.code == "DIGEST_INVALID", text
    else:
        assert str(digest) == text
    try:
        media_type = ocikit.MediaType.parse(text)
    except ocikit.ValidationError as error:
        assert error.code == "MEDIA_TYPE_INVALID", text
    else:
        assert str(media_type) == text
        for role in (None, "config", "layer"):
            assert all(f.severity == "warning" for f in media_type.lint(role)), text
        media_type.artifact  # noqa: B018 - must not fail
    try:
        ocikit.verify(text.encode("utf-8"), text)
    except ocikit.OciError:
        pass
    try:
        ocikit.digest(text.encode("utf-8"), text)
    except ocikit.ValidationError as error:
        assert error.code in {"DIGEST_INVALID", "DIGEST_UNSUPPORTED"}, text


def test_random_strings() -> None:
    # One test over many inputs (a fixed seed keeps failures reproducible).
    for text in _random_strings(5000, seed=20240611):
        _check(text)


def test_random_bytes() -> None:
    rng = random.Random(7)
    digester = ocikit.Digester()
    total = b""
    for _ in range(200):
        chunk = rng.randbytes(rng.choice([0, 1, 63, 64, 65, 4096, 70_000]))
        digester.update(chunk)
        total += chunk
    assert digester.finalize() == ocikit.digest(total)


@pytest.mark.parametrize("text", ["\ud800", "sha256:\udfff", "application/\ud83d"])
def test_lone_surrogates_are_value_errors(text: str) -> None:
    with pytest.raises(ValueError):
        ocikit.Digest.parse(text)
    with pytest.raises(ValueError):
        ocikit.MediaType.parse(text)


def test_very_long_inputs() -> None:
    for text in ("a" * 1_000_000, "sha256:" + "a" * 1_000_000, "a/" + "b" * 1_000_000):
        with pytest.raises(ocikit.ValidationError):
            ocikit.Digest.parse(text)
        with pytest.raises(ocikit.ValidationError):
            ocikit.MediaType.parse(text)
