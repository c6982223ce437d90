"""The catalogue the SQL joins: one cached Spark frame, re-read every ``refresh_seconds``."""

from __future__ import annotations

import time
from typing import Optional

from pyspark.sql import DataFrame, SparkSession

from .batch import PRODUCTS_SCHEMA, Dynamo


def scan_products(dynamo: Dynamo, table_name: str) -> list[tuple]:
    """Every product's (productId, category, inventory, price), by a paginated Scan."""
    pages = dynamo.client().get_paginator("scan").paginate(
        TableName=table_name, ProjectionExpression="productId, category, inventory, price")
    return [(item["productId"]["S"], item["category"]["S"], int(item["inventory"]["N"]), int(item["price"]["N"]))
            for page in pages for item in page["Items"]]


class ProductsSnapshot:
    """The products view, re-read every ``refresh_seconds`` (0: every batch) instead of per batch."""

    def __init__(self, spark: SparkSession, dynamo: Dynamo, table_name: str, refresh_seconds: int) -> None:
        self.spark, self.dynamo, self.table_name, self.refresh_seconds = spark, dynamo, table_name, refresh_seconds
        self.frame: Optional[DataFrame] = None
        self.loaded_at = 0.0

    def get(self) -> DataFrame:
        if self.frame is None or time.monotonic() - self.loaded_at >= self.refresh_seconds:
            fresh = self.spark.createDataFrame(scan_products(self.dynamo, self.table_name), PRODUCTS_SCHEMA).cache()
            fresh.count()
            if self.frame is not None:
                self.frame.unpersist()
            self.frame, self.loaded_at = fresh, time.monotonic()
        return self.frame
