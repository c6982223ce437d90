"""The click event rules of functions/domain/click-event.ts, in plain Python.

The Glue job rejects what the fast path quarantines, for the same reasons (it counts its rejects; the fast
path, which reads each record's bytes, shard and sequence number, is the one quarantine, so a bad record is
set aside once). Every rule here mirrors a line of click-event.ts,
fields.ts or limits.ts, and the messages mirror what zod 4 writes; tests/test_validation.py runs the
vectors produced by the TypeScript ``parseClickEvent`` (tests/vectors/ts-vectors.json).

An ``eventTime`` that fails the ISO check is rejected with ``eventTime: Invalid ISO datetime`` even
when ``new Date`` cannot parse it (``"yesterday"``); click-event.ts threw a RangeError there until its
``canonicalEventTime`` fix, and the vectors now agree on the reason too.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

# limits.ts
MAX_EVENT_BYTES = 8 * 1024
ID_LENGTH = 64
CATEGORY_LENGTH = 40
SEARCH_QUERY_LENGTH = 256
USER_AGENT_LENGTH = 512
MAX_QUANTITY = 999
MAX_CENTS = 10_000_000_000
#: ``Number.MAX_SAFE_INTEGER``: zod's ``.int()`` also bounds integers to the safe range.
MAX_SAFE_INTEGER = 2**53 - 1

EVENT_TYPES = (
    "page_view",
    "product_view",
    "add_to_cart",
    "remove_from_cart",
    "checkout_start",
    "purchase",
    "search",
)
TRAFFIC_SOURCES = ("organic", "paid_search", "email", "social", "direct", "referral")
DEVICE_TYPES = ("mobile", "desktop", "tablet")
PRODUCT_EVENT_TYPES = frozenset(
    {"product_view", "add_to_cart", "remove_from_cart", "checkout_start", "purchase"}
)
QUANTITY_EVENT_TYPES = frozenset({"add_to_cart", "remove_from_cart", "purchase"})

# fields.ts. fullmatch, never ``$``: Python's ``$`` also matches before a trailing newline.
_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*")
_IDENTIFIER_MESSAGE = "letters, digits and _ . : - only"
_CATEGORY = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_CATEGORY_MESSAGE = "lower-case slug"

# zod 4's z.iso.datetime() (no offset, no local time, any fraction precision), ASCII digits only.
_DATE = (
    r"(?:(?:[0-9][0-9][2468][048]|[0-9][0-9][13579][26]|[0-9][0-9]0[48]|[02468][048]00"
    r"|[13579][26]00)-02-29|[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|(?:02)-(?:0[1-9]|1[0-9]|2[0-8])))"
)
_DATETIME = re.compile(
    _DATE + r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.([0-9]+))?Z"
)

#: Field order of the zod shape: issues are reported in this order, and the value keeps it.
FIELDS = (
    "eventId",
    "sessionId",
    "userId",
    "eventType",
    "productId",
    "category",
    "priceSeen",
    "quantity",
    "searchQuery",
    "trafficSource",
    "deviceType",
    "userAgent",
    "eventTime",
)

_MISSING = object()


@dataclass(frozen=True)
class Validated:
    """The value, or a reason a person can act on (``Validated<T>`` in validation.ts)."""

    ok: bool
    value: Optional[dict[str, Any]] = None
    reason: Optional[str] = None
    field: Optional[str] = None


class _Reject(ValueError):
    """Raised by ``json.loads`` hooks for what ``JSON.parse`` refuses (NaN, Infinity)."""


def _received(value: Any) -> str:
    """zod's name for the type it received."""
    if value is _MISSING:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, float) and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _check_string(
    value: Any, minimum: int, maximum: int, pattern: Optional[re.Pattern[str]] = None, message: str = ""
) -> list[str]:
    """A zod string with min, max and an optional regex: every failing check is reported.

    ``len`` counts code points, as zod 4 does (a surrogate pair is one character, a lone one too).
    """
    if not isinstance(value, str):
        return [f"Invalid input: expected string, received {_received(value)}"]
    problems = []
    if len(value) < minimum:
        problems.append(f"Too small: expected string to have >={minimum} characters")
    if len(value) > maximum:
        problems.append(f"Too big: expected string to have <={maximum} characters")
    if pattern is not None and not pattern.fullmatch(value):
        problems.append(message)
    return problems


def _check_int(value: Any, minimum: int, maximum: int, int_message: Optional[str]) -> list[str]:
    """A zod ``number().int(msg).min().max()``: JSON numbers may be written ``2.0`` or ``1.999e3``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
        isinstance(value, float) and not math.isfinite(value)
    ):
        return [f"Invalid input: expected number, received {_received(value)}"]
    if isinstance(value, float) and not value.is_integer():
        # zod aborts this field after a non-integer: min and max are not checked.
        return [int_message or "Invalid input: expected int, received number"]
    problems = []
    if value > MAX_SAFE_INTEGER:
        problems.append(int_message or f"Too big: expected int to be <={MAX_SAFE_INTEGER}")
    elif value < -MAX_SAFE_INTEGER:
        problems.append(int_message or f"Too small: expected int to be >={-MAX_SAFE_INTEGER}")
    if value < minimum:
        problems.append(f"Too small: expected number to be >={minimum}")
    if value > maximum:
        problems.append(f"Too big: expected number to be <={maximum}")
    return problems


def _check_enum(value: Any, options: tuple[str, ...]) -> list[str]:
    if isinstance(value, str) and value in options:
        return []
    return ["Invalid option: expected one of " + "|".join(f'"{option}"' for option in options)]


def _check_datetime(value: Any) -> list[str]:
    if not isinstance(value, str):
        return [f"Invalid input: expected string, received {_received(value)}"]
    return [] if _DATETIME.fullmatch(value) else ["Invalid ISO datetime"]


def canonical_event_time(value: str) -> str:
    """The canonical millisecond form of a valid ISO datetime, as the TS ``overwrite`` makes it.

    A 24-character value is already canonical; otherwise ``new Date(value).toISOString()``, which pads
    short fractions and truncates (never rounds) long ones.
    """
    if len(value) == 24:
        return value
    match = _DATETIME.fullmatch(value)
    if match is None:
        raise ValueError(f"not an ISO datetime: {value!r}")
    fraction = ((match.group(1) or "") + "000")[:3]
    return f"{value[:19]}.{fraction}Z"


def _nullable(check: Callable[[Any], list[str]]) -> Callable[[Any], list[str]]:
    """``.nullable().default(null)``: absent and null are both fine."""
    return lambda value: [] if value is _MISSING or value is None else check(value)


def _identifier(value: Any) -> list[str]:
    return _check_string(value, 1, ID_LENGTH, _IDENTIFIER, _IDENTIFIER_MESSAGE)


_CHECKS: dict[str, Callable[[Any], list[str]]] = {
    "eventId": _identifier,
    "sessionId": _identifier,
    "userId": _nullable(_identifier),
    "eventType": lambda value: _check_enum(value, EVENT_TYPES),
    "productId": _nullable(_identifier),
    "category": _nullable(
        lambda value: _check_string(value, 1, CATEGORY_LENGTH, _CATEGORY, _CATEGORY_MESSAGE)
    ),
    "priceSeen": _nullable(lambda value: _check_int(value, 0, MAX_CENTS, "must be integer cents")),
    "quantity": _nullable(lambda value: _check_int(value, 1, MAX_QUANTITY, None)),
    "searchQuery": _nullable(lambda value: _check_string(value, 1, SEARCH_QUERY_LENGTH)),
    "trafficSource": lambda value: _check_enum(value, TRAFFIC_SOURCES),
    "deviceType": lambda value: _check_enum(value, DEVICE_TYPES),
    "userAgent": lambda value: _check_string(value, 1, USER_AGENT_LENGTH),
    "eventTime": _check_datetime,
}


def _normalise(field: str, value: Any) -> Any:
    if value is _MISSING or value is None:
        return None
    if field in ("priceSeen", "quantity"):
        return int(value)
    if field == "eventTime":
        return canonical_event_time(value)
    return value


def cross_field_issues(event: dict[str, Any]) -> list[tuple[str, str]]:
    """The rules between fields (``crossFieldIssues`` in click-event.ts), as (path, message)."""
    issues: list[tuple[str, str]] = []
    event_type = event["eventType"]
    if event_type in PRODUCT_EVENT_TYPES and event["productId"] is None:
        issues.append(("productId", f"required for {event_type}"))
    if event_type in QUANTITY_EVENT_TYPES and event["quantity"] is None:
        issues.append(("quantity", f"required for {event_type}"))
    if event_type == "search" and event["searchQuery"] is None:
        issues.append(("searchQuery", "required for search"))
    return issues


def validate_click_event(data: Any) -> Validated:
    """Validates already-decoded JSON: the shape first, then the cross-field rules."""
    if not isinstance(data, dict):
        return Validated(
            ok=False, field=None, reason=f"(root): Invalid input: expected object, received {_received(data)}"
        )
    issues: list[tuple[str, str]] = []
    for field in FIELDS:
        for message in _CHECKS[field](data.get(field, _MISSING)):
            issues.append((field, message))
    if not issues:
        event = {field: _normalise(field, data.get(field, _MISSING)) for field in FIELDS}
        issues = cross_field_issues(event)
        if not issues:
            return Validated(ok=True, value=event)
    return Validated(
        ok=False, field=issues[0][0], reason="; ".join(f"{path}: {message}" for path, message in issues)
    )


def _reject_constant(name: str) -> Any:
    raise _Reject(f'"{name}" is not valid JSON')


def parse_click_event(raw: Union[bytes, bytearray, memoryview, str]) -> Validated:
    """Decodes and validates one raw record (``parseClickEvent`` in click-event.ts).

    Size first (an oversized record costs nothing to reject), then strict UTF-8 (a leading BOM is
    dropped, as ``TextDecoder`` does), then JSON as ``JSON.parse`` reads it (no NaN or Infinity).
    """
    if isinstance(raw, str):
        size = len(raw.encode("utf-8", "surrogatepass"))
    else:
        raw = bytes(raw)
        size = len(raw)
    if size > MAX_EVENT_BYTES:
        return Validated(ok=False, field=None, reason=f"record is {size} bytes; the limit is {MAX_EVENT_BYTES}")
    if isinstance(raw, str):
        text = raw
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return Validated(ok=False, field=None, reason="record is not valid UTF-8")
        if text.startswith("\ufeff"):
            text = text[1:]
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:
        return Validated(ok=False, field=None, reason=f"record is not JSON: {error}")
    return validate_click_event(data)
