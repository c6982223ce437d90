"""The catalogue the SQL joins: one cached Spark frame, re-read every ``refresh_seconds``.

The re-read is a parallel Scan run by the executors, one segment each (DynamoDB's ``Segment`` /
``TotalSegments``), so the catalogue never passes through the driver and a large one is read by as
many workers as the job has.
"""

from __future__ import annotations

import time
from typing import Iterator, Optional

from pyspark.sql import DataFrame, SparkSession

from .batch import PRODUCTS_SCHEMA, Dynamo


def scan_segment(dynamo: Dynamo, table_name: str, segment: int, segments: int) -> Iterator[tuple]:
    """One segment's products as (productId, category, inventory, price), page by page."""
    pages = dynamo.client().get_paginator("scan").paginate(
        TableName=table_name, Segment=segment, TotalSegments=segments,
        ProjectionExpression="productId, category, inventory, price")
    for page in pages:
        for item in page["Items"]:
            yield (item["productId"]["S"], item["category"]["S"], int(item["inventory"]["N"]), int(item["price"]["N"]))


class ProductsSnapshot:
    """The products view, re-read every ``refresh_seconds`` (0: every batch) instead of per batch."""

    def __init__(self, spark: SparkSession, dynamo: Dynamo, table_name: str, refresh_seconds: int,
                 segments: Optional[int] = None) -> None:
        self.spark, self.dynamo, self.table_name, self.refresh_seconds = spark, dynamo, table_name, refresh_seconds
        self.segments = segments or max(1, spark.sparkContext.defaultParallelism)
        self.frame: Optional[DataFrame] = None
        self.loaded_at = 0.0

    def get(self) -> DataFrame:
        if self.frame is None or time.monotonic() - self.loaded_at >= self.refresh_seconds:
            dynamo, table_name, segments = self.dynamo, self.table_name, self.segments
            rows = self.spark.sparkContext.parallelize(range(segments), segments).flatMap(
                lambda segment: scan_segment(dynamo, table_name, segment, segments))
            fresh = self.spark.createDataFrame(rows, PRODUCTS_SCHEMA).cache()
            fresh.count()
            if self.frame is not None:
                self.frame.unpersist()
            self.frame, self.loaded_at = fresh, time.monotonic()
        return self.frame
