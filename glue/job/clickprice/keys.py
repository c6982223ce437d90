"""Keys and time arithmetic shared with the TypeScript code, byte for byte.

Mirrors functions/domain/time.ts (canonical ISO-8601 UTC with milliseconds) and
functions/domain/order-buckets.ts (order time buckets). The aggregates table and the orders index are
written by TypeScript and read here (or the other way round), so any drift is a silent data loss;
tests/test_keys.py compares against vectors computed by the TypeScript code.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

MINUTE_MS = 60_000
DAY_MS = 24 * 60 * MINUTE_MS
#: Write shards per order minute (ORDER_BUCKET_SHARDS in order-buckets.ts).
ORDER_BUCKET_SHARDS = 4

# Key names of the tables the job reads and writes. They are defined in definitions/resources.ts;
# tests/test_parity_vectors.py holds these to the vectors generated from it.
AGGREGATE_PARTITION_KEY = "productId"
AGGREGATE_SORT_KEY = "windowStart"
AGGREGATE_TTL_ATTRIBUTE = "expiresAt"
ORDERS_TIME_INDEX = "byTimeBucket"
ORDERS_TIME_INDEX_PARTITION_KEY = "timeBucket"
ORDERS_TIME_INDEX_SORT_KEY = "orderedAt"

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def to_iso(epoch_ms: int) -> str:
    """Epoch milliseconds to the canonical timestamp (what ``Date#toISOString`` writes).

    Integer arithmetic only: going through float seconds would round some milliseconds away.
    """
    moment = _EPOCH + timedelta(milliseconds=int(epoch_ms))
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}."
        f"{moment.microsecond // 1000:03d}Z"
    )


def to_epoch_ms(iso: str) -> int:
    """A canonical timestamp (or any ``...Z`` ISO form with 0-6 fraction digits) to epoch ms."""
    text = iso[:-1] if iso.endswith("Z") else iso
    if "." in text:
        whole, fraction = text.split(".", 1)
        text = f"{whole}.{(fraction + '000000')[:6]}"
    else:
        text = f"{text}.000000"
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=timezone.utc)
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def minute_of(iso: str) -> str:
    """The start of the minute holding ``iso``, as a canonical timestamp."""
    return f"{iso[:16]}:00.000Z"


def expiry_after_days(iso: str, days: int) -> int:
    """A DynamoDB TTL value (epoch seconds) ``days`` after ``iso``; floors like ``Math.floor``."""
    return (to_epoch_ms(iso) + days * DAY_MS) // 1000


def floor_to_window(epoch_ms: int, window_ms: int) -> int:
    """The start of the window-size slot holding ``epoch_ms`` (slots aligned to the epoch)."""
    if window_ms <= 0:
        raise ValueError(f"window size must be positive, got {window_ms} ms")
    return (epoch_ms // window_ms) * window_ms


def order_shard(order_id: str) -> int:
    """The write shard of an order: first 4 bytes of sha1(utf-8 id), big-endian, mod the shard count.

    Node's ``hash.update(string)`` hashes UTF-8; identifiers are ASCII by schema anyway.
    """
    digest = hashlib.sha1(order_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % ORDER_BUCKET_SHARDS


def order_time_bucket(order_id: str, ordered_at: str) -> str:
    """The time bucket an order is indexed under (``orderTimeBucket`` in order-buckets.ts)."""
    return f"{minute_of(ordered_at)[:16]}#{order_shard(order_id)}"


def order_time_buckets_between(start: str, end: str) -> list[str]:
    """Every bucket that can hold an order placed in [start, end): each minute, each shard."""
    buckets: list[str] = []
    end_ms = to_epoch_ms(end)
    minute = to_epoch_ms(minute_of(start))
    while minute < end_ms:
        prefix = to_iso(minute)[:16]
        buckets.extend(f"{prefix}#{shard}" for shard in range(ORDER_BUCKET_SHARDS))
        minute += MINUTE_MS
    return buckets


def aggregate_key(product_id: str, window_start: str) -> dict[str, str]:
    """The aggregates table key of one product's row for one window."""
    return {AGGREGATE_PARTITION_KEY: product_id, AGGREGATE_SORT_KEY: window_start}
