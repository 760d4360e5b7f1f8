"""The bounds of ``Limits``, ``WalkLimits`` and ``UnpackLimits``: a whole number in the core's
range, else a ``ValidationError`` with code ``OPTIONS_INVALID`` naming the field, raised when
the object is made (before: pyo3's ``OverflowError`` or ``TypeError`` without the field's name,
and a bool taken as 0 or 1)."""

from __future__ import annotations

from typing import Any, Callable

import pytest

import ocikit
from ocikit.errors import ValidationError

U32 = 2**32 - 1
U64 = 2**64 - 1

FIELDS: list[tuple[Callable[..., Any], str, int]] = [
    (ocikit.WalkLimits, "max_depth", U32),
    (ocikit.WalkLimits, "max_nodes", U64),
    (ocikit.WalkLimits, "max_bytes", U64),
    (ocikit.Limits, "stall_timeout_ms", U64),
    (ocikit.Limits, "request_timeout_ms", U64),
    (ocikit.Limits, "deadline_ms", U64),
    (ocikit.Limits, "retry_after_max_ms", U64),
    (ocikit.Limits, "list_entries_max", U64),
    (ocikit.Limits, "list_bytes_max", U64),
    (ocikit.UnpackLimits, "max_size", U64),
    (ocikit.UnpackLimits, "max_entries", U64),
    (ocikit.UnpackLimits, "max_ratio", U64),
]


@pytest.mark.parametrize(("cls", "field", "top"), FIELDS)
def test_every_whole_number_in_range_is_kept(cls: Callable[..., Any], field: str, top: int) -> None:
    for value in (0, 1, top):
        assert getattr(cls(**{field: value}), field) == value
    # None keeps the default.
    assert getattr(cls(**{field: None}), field) == getattr(cls(), field)


class Whole:
    """An integer that is not an ``int``, as numpy's ``int64`` is: it has ``__index__``."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value


@pytest.mark.parametrize(("cls", "field", "top"), FIELDS)
def test_integers_that_are_not_int_are_taken_as_int(
    cls: Callable[..., Any], field: str, top: int
) -> None:
    # Every limit class takes what Python takes as an index (numpy's integers included), and
    # keeps a plain int; one out of range is refused like an int.
    for value in (0, top):
        kept = getattr(cls(**{field: Whole(value)}), field)
        assert kept == value
        assert type(kept) is int
    with pytest.raises(ValidationError) as raised:
        cls(**{field: Whole(top + 1)})
    assert raised.value.code == "OPTIONS_INVALID"


@pytest.mark.parametrize(("cls", "field", "top"), FIELDS)
@pytest.mark.parametrize("bad", [-1, "top+1", True, False, 1.0, "3", [1]])
def test_anything_else_is_options_invalid_naming_the_field(
    cls: Callable[..., Any], field: str, top: int, bad: Any
) -> None:
    value = top + 1 if bad == "top+1" else bad
    with pytest.raises(ValidationError) as raised:
        cls(**{field: value})
    error = raised.value
    assert error.code == "OPTIONS_INVALID"
    assert isinstance(error, ValueError)
    name = getattr(cls, "__name__", "")
    bits = 32 if top == U32 else 64
    reason = f"{name}.{field} must be a whole number from 0 to 2**{bits} - 1"
    assert error.details["reason"] == reason
    assert str(error) == f"{reason}, not {value!r}"
