"""DynamoDB item shapes the Glue job reads and writes: aggregate rows out, orders in.

boto3's resource layer refuses Python floats, so every number becomes a Decimal here, in one place.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Mapping

from .keys import (
    AGGREGATE_PARTITION_KEY,
    AGGREGATE_SORT_KEY,
    AGGREGATE_TTL_ATTRIBUTE,
    expiry_after_days,
    to_epoch_ms,
    to_iso,
)

def to_dynamo_value(value: Any) -> Any:
    """One value as boto3 stores it: numbers as Decimal, timestamps canonical, nested values too."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot store a non-finite number: {value}")
        # str() keeps the shortest repr, so 0.1 stays 0.1 rather than 0.1000000000000000055...
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
        return to_iso((moment - epoch) // timedelta(milliseconds=1))
    if isinstance(value, Mapping):
        return {str(key): to_dynamo_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_dynamo_value(item) for item in value]
    raise TypeError(f"cannot store a {type(value).__name__}")


def aggregate_item(row: Mapping[str, Any], retention_days: int) -> dict[str, Any]:
    """A SQL result row as the whole aggregates item, with ``expiresAt`` = windowStart + retention_days.

    The item is a pure function of the row, so a re-run batch Puts byte-identical items.
    """
    item = {str(key): to_dynamo_value(value) for key, value in row.items()}
    for key in (AGGREGATE_PARTITION_KEY, AGGREGATE_SORT_KEY):
        if not isinstance(item.get(key), str) or not item[key]:
            raise ValueError(f"aggregate row has no {key}: {dict(row)!r}")
    window_start = item[AGGREGATE_SORT_KEY]
    if to_iso(to_epoch_ms(window_start)) != window_start:
        raise ValueError(f"windowStart is not a canonical timestamp: {window_start!r}")
    item[AGGREGATE_TTL_ATTRIBUTE] = Decimal(expiry_after_days(window_start, retention_days))
    return item


def order_row(item: Mapping[str, Any]) -> dict[str, Any]:
    """An orders item (numbers as Decimal) as a plain row for the ``orders`` view."""
    return {
        "orderId": item["orderId"],
        "productId": item["productId"],
        "sessionId": item.get("sessionId"),
        "userId": item.get("userId"),
        "quantity": int(item["quantity"]),
        "unitPrice": int(item["unitPrice"]),
        "currency": item.get("currency"),
        "orderedAt": item["orderedAt"],
    }


def in_window(timestamp: str, start: str, end: str) -> bool:
    """[start, end) on canonical strings, which sort as time (a GSI BETWEEN is inclusive of end)."""
    return start <= timestamp < end
