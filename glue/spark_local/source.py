"""Glue's Kinesis source, locally: raw records in, a frame of exactly the columns Glue gives the job.

Glue parses each record's JSON payload with the job's ``schema`` and adds ``__src_timestamp``
(clickprice/source.py); here Spark's own JSON reader (``from_json``, PERMISSIVE, the same Spark 3.3)
does the parsing, so the frame the batch logic meets locally is the one it meets on Glue.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from clickprice.source import CLICK_COLUMNS, SOURCE_TIMESTAMP_COLUMN, source_schema_ddl


def glue_source_frame(spark: SparkSession, records: Iterable[tuple[str, int]]) -> DataFrame:
    """``records`` as (payload text, arrival epoch ms) to the frame Glue's Kinesis source would give."""
    raw = spark.createDataFrame(list(records), "data string, arrivedAtMs long")
    parsed = raw.select(F.from_json("data", source_schema_ddl()).alias("event"), "arrivedAtMs")
    return parsed.select(*[F.col(f"event.{name}").alias(name) for name, _ in CLICK_COLUMNS],
                         F.expr("timestamp_millis(arrivedAtMs)").alias(SOURCE_TIMESTAMP_COLUMN))


def read_records(path: "str | Path") -> list[tuple[str, int]]:
    """A batch's records from a JSONL file of {"data": text, "arrivedAtMs": n} lines."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [(entry["data"], int(entry["arrivedAtMs"])) for entry in map(json.loads, filter(None, lines))]


def write_shapes(frame: DataFrame, path: "str | Path") -> None:
    """The frame's click columns, one JSON object per row in order: what Glue's source made of each record."""
    names = [name for name, _ in CLICK_COLUMNS]
    with open(path, "w", encoding="utf-8") as out:
        for row in frame.select(*names).collect():
            out.write(json.dumps(row.asDict()) + "\n")
