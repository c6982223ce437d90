"""The clicks source as Glue's Kinesis connector delivers it, and the options that ask for it.

Glue does not hand a streaming job the records' bytes: with ``classification: json`` and a
``schema`` (required when ``inferSchema`` is false) it parses each record's JSON payload into those
columns, and ``addRecordTimestamp`` adds ``__src_timestamp``, when the stream received the record
(https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-connect-kinesis-home.html).
So the batch logic (batch.py) takes a frame of exactly these columns, and the local engines feed it
the same shape (glue/spark_local/source.py, with Spark's own JSON reader; the DuckDB engine with
glue/local-engine/glue-source.ts, which reads a record the way Spark 3.3 does).

What the shape cannot show, the rich path cannot check: a record's size, and a value of the wrong JSON
type in an integer column, which Spark reads as null, keeping the rest of the row. A required one
(``"quantity": "2"`` on a cart event) is then missing and the click is rejected; an optional one
(``"priceSeen": "19.99"``) leaves a click without a price seen, which is counted. So an over-size
record that is otherwise valid, and a click with a mistyped price, are counted here and quarantined by
the fast path, which reads the bytes. The fast path is also the one that
quarantines: it reads every record of the same stream, with its shard and sequence number, which
this source does not give.
"""

from __future__ import annotations

from typing import Any, Mapping

#: The click event's fields (functions/domain/click-event.ts) as Spark DDL types, in its order.
#: Integers are BIGINT (JSON numbers); every other field is text. The TypeScript engine's copy is
#: held to this one by the parity vectors (tests/test_parity_vectors.py).
CLICK_COLUMNS: tuple[tuple[str, str], ...] = (
    ("eventId", "STRING"),
    ("sessionId", "STRING"),
    ("userId", "STRING"),
    ("eventType", "STRING"),
    ("productId", "STRING"),
    ("category", "STRING"),
    ("priceSeen", "BIGINT"),
    ("quantity", "BIGINT"),
    ("searchQuery", "STRING"),
    ("trafficSource", "STRING"),
    ("deviceType", "STRING"),
    ("userAgent", "STRING"),
    ("eventTime", "STRING"),
)

#: The column ``addRecordTimestamp`` adds: when the stream received the record.
SOURCE_TIMESTAMP_COLUMN = "__src_timestamp"


def source_schema_ddl() -> str:
    """The ``schema`` connection option: the columns in Spark's DDL format (`` `name` TYPE, ...``)."""
    return ", ".join(f"`{name}` {kind}" for name, kind in CLICK_COLUMNS)


def kinesis_source_options(stream_arn: str, fanout_consumer_arn: "str | None" = None) -> dict[str, str]:
    """Connection options of ``create_data_frame.from_options(connection_type="kinesis")``.

    ``streamARN``, ``startingPosition``, ``inferSchema`` and ``classification`` are the ones a Kinesis
    source requires, ``schema`` because inferSchema is false. TRIM_HORIZON on a first start (no
    checkpoint yet) aggregates what the stream still holds; later starts resume from the checkpoint.
    ``emitConsumerLagMetrics`` publishes glue.driver.streaming.maxConsumerLagInMs, which an alarm
    watches. ``fanoutConsumerARN`` reads through the job's enhanced fan-out consumer (registered by
    CDK), so the job and the clickstream Lambda each have a shard's read throughput
    (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-connect-kinesis-efo.html).
    """
    if not stream_arn.startswith("arn:"):
        raise ValueError(f"--stream_arn must be a stream ARN, got {stream_arn!r}")
    if fanout_consumer_arn is not None and not fanout_consumer_arn.startswith("arn:"):
        raise ValueError(f"--fanout_consumer_arn must be a consumer ARN, got {fanout_consumer_arn!r}")
    options = {
        "streamARN": stream_arn,
        "startingPosition": "TRIM_HORIZON",
        "classification": "json",
        "inferSchema": "false",
        "schema": source_schema_ddl(),
        "addRecordTimestamp": "true",
        "emitConsumerLagMetrics": "true",
        "avoidEmptyBatches": "true",
    }
    if fanout_consumer_arn is not None:
        options["fanoutConsumerARN"] = fanout_consumer_arn
    return options


def event_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """A source row as the JSON object the click rules read: the click fields that are not null
    (Spark gives null for an absent field, and the rules read absent and null optional fields alike)."""
    return {name: row[name] for name, _ in CLICK_COLUMNS if row[name] is not None}
