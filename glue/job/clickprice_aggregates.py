"""clickprice rich path: Glue (4.0+) streaming job, Kinesis clicks -> aggregates table.

Thin wiring only: every rule (validation, window plan, keys, items, SQL checks) lives in the pure
``clickprice`` package (ship it with ``--extra-py-files``), which is unit-tested without Spark.

Job arguments (``--name value``, listed in clickprice/job_args.py):
  stream_arn, products_table, orders_table, aggregates_table, quarantine_table, checkpoint_location
  aggregates_retention_days, quarantine_retention_days (the table catalogue's, passed by CDK)
  window_size (default: glue/window-config.json's windowSizeSeconds, e.g. "60 seconds")
  products_refresh_seconds (default 300), sql_path (s3://... or a local path; default: bundled SQL)
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Iterator

import boto3
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import DataFrame, Row
from pyspark.sql import functions as F
from pyspark.sql.types import LongType, StringType, StructField, StructType

from clickprice.items import aggregate_item, in_window, order_row, quarantine_item
from clickprice.job_args import OPTIONAL, REQUIRED, retention_days
from clickprice.keys import (ORDERS_TIME_INDEX, ORDERS_TIME_INDEX_PARTITION_KEY, ORDERS_TIME_INDEX_SORT_KEY,
                             order_time_buckets_between, to_epoch_ms, to_iso)
from clickprice.sql import DEFAULT_SQL_PATH, load_sql, prepare_sql
from clickprice.validation import parse_click_event
from clickprice.window import WindowPlan, parse_window_size, plan_window, read_window_size_seconds


# Columns of the raw Kinesis frame (record bytes plus position); adjust here if the source names differ.
SOURCE_DATA, SOURCE_SHARD, SOURCE_SEQUENCE, SOURCE_ARRIVAL = "data", "shardId", "sequenceNumber", "approximateArrivalTimestamp"

CLICKS_SCHEMA = StructType([StructField(name, kind) for name, kind in (
    ("eventId", StringType()), ("sessionId", StringType()), ("eventType", StringType()),
    ("productId", StringType()), ("quantity", LongType()), ("eventTime", StringType()),
    ("shardId", StringType()), ("sequenceNumber", StringType()), ("arrivedAt", StringType()))])
PRODUCTS_SCHEMA = StructType([StructField("productId", StringType()), StructField("category", StringType()),
                              StructField("inventory", LongType()), StructField("price", LongType())])
ORDERS_SCHEMA = StructType([StructField("orderId", StringType()), StructField("productId", StringType()),
                            StructField("quantity", LongType()), StructField("unitPrice", LongType()),
                            StructField("orderedAt", StringType())])


def resolve_args(argv: list[str]) -> dict[str, str]:
    """Required arguments via getResolvedOptions; optional ones only when passed (it rejects absent ones)."""
    present = [name for name in OPTIONAL if f"--{name}" in argv]
    args = {name: default for name, default in OPTIONAL.items()}
    args.update(getResolvedOptions(argv, REQUIRED + present))
    if not args["window_size"]:
        args["window_size"] = f"{read_window_size_seconds()} seconds"
    if not args["sql_path"]:
        args["sql_path"] = str(DEFAULT_SQL_PATH)
    return args


def read_sql(path: str) -> str:
    if path.startswith("s3://"):
        bucket, key = path[5:].split("/", 1)
        return boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
    return load_sql(path)


def arrival_iso(value: Any) -> str:
    """Kinesis arrival time (a timestamp) in the canonical string form."""
    moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return to_iso((moment - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(milliseconds=1))


def classify_partition(rows: Iterable[Row]) -> Iterator[tuple]:
    """Runs on executors: (True, click tuple) for valid records, (False, quarantine fields) for the rest."""
    for row in rows:
        data = bytes(row[SOURCE_DATA])
        arrived_at = arrival_iso(row[SOURCE_ARRIVAL])
        shard, sequence = str(row[SOURCE_SHARD]), str(row[SOURCE_SEQUENCE])
        result = parse_click_event(data)
        if result.ok:
            event = result.value
            yield (True, (event["eventId"], event["sessionId"], event["eventType"], event["productId"],
                          event["quantity"], event["eventTime"], shard, sequence, arrived_at))
        else:
            yield (False, (shard, sequence, arrived_at, result.reason, data))


def put_items(table_name: str, items: Iterable[dict[str, Any]]) -> None:
    """Whole-item Puts; batch_writer retries unprocessed items. Same key, same item: replay-safe."""
    with boto3.resource("dynamodb").Table(table_name).batch_writer() as writer:
        for item in items:
            writer.put_item(Item=item)


class ProductsCache:
    """The products view, re-read every ``refresh_seconds`` instead of a table scan per batch."""

    def __init__(self, spark, table_name: str, refresh_seconds: int) -> None:
        self.spark, self.table_name, self.refresh_seconds = spark, table_name, refresh_seconds
        self.frame: DataFrame | None = None
        self.loaded_at = 0.0

    def get(self) -> DataFrame:
        if self.frame is None or time.monotonic() - self.loaded_at >= self.refresh_seconds:
            pages = boto3.client("dynamodb").get_paginator("scan").paginate(
                TableName=self.table_name, ProjectionExpression="productId, category, inventory, price")
            rows = [(i["productId"]["S"], i["category"]["S"], int(i["inventory"]["N"]), int(i["price"]["N"]))
                    for page in pages for i in page["Items"]]
            fresh = self.spark.createDataFrame(rows, PRODUCTS_SCHEMA).cache()
            fresh.count()
            if self.frame is not None:
                self.frame.unpersist()
            self.frame, self.loaded_at = fresh, time.monotonic()
        return self.frame


def read_orders(table_name: str, plan: WindowPlan) -> list[tuple]:
    """The window's orders: one Query per (minute, shard) bucket on the time-bucket index."""
    table = boto3.resource("dynamodb").Table(table_name)
    orders = []
    for bucket in order_time_buckets_between(plan.window_start, plan.window_end):
        kwargs = {"IndexName": ORDERS_TIME_INDEX,
                  "KeyConditionExpression": f"{ORDERS_TIME_INDEX_PARTITION_KEY} = :b AND "
                                            f"{ORDERS_TIME_INDEX_SORT_KEY} BETWEEN :s AND :e",
                  "ExpressionAttributeValues": {":b": bucket, ":s": plan.window_start, ":e": plan.window_end}}
        while True:
            page = table.query(**kwargs)
            for item in page["Items"]:
                row = order_row(item)
                if in_window(row["orderedAt"], plan.window_start, plan.window_end):
                    orders.append((row["orderId"], row["productId"], row["quantity"], row["unitPrice"], row["orderedAt"]))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return orders


class PlanStore:
    """Window plans beside the Spark checkpoint: plans/<batchId>.json plus plans/latest.json."""

    def __init__(self, checkpoint_location: str) -> None:
        bucket, _, prefix = checkpoint_location.removeprefix("s3://").partition("/")
        self.bucket, self.prefix = bucket, prefix.rstrip("/") + "/clickprice-window-plans/"
        self.s3 = boto3.client("s3")

    def _read(self, name: str) -> WindowPlan | None:
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=self.prefix + name)["Body"].read()
        except self.s3.exceptions.NoSuchKey:
            return None
        return WindowPlan.from_json(body.decode("utf-8"))

    def plan(self, batch_id: int, min_arrival_ms: int, max_arrival_ms: int, window_ms: int) -> WindowPlan:
        existing = self._read(f"{batch_id}.json")
        if existing is not None:  # a re-run of this batch: same window, same keys
            return existing
        latest = self._read("latest.json")
        previous_end = latest.window_end if latest is not None and latest.batch_id < batch_id else None
        plan = plan_window(batch_id, min_arrival_ms, max_arrival_ms, window_ms, previous_end)
        for name in (f"{batch_id}.json", "latest.json"):
            self.s3.put_object(Bucket=self.bucket, Key=self.prefix + name, Body=plan.to_json().encode("utf-8"))
        return plan


def main() -> None:
    args = resolve_args(sys.argv)
    # Read before Spark starts: a bad value stops the job at once, naming the argument.
    aggregates_days = retention_days(args, "aggregates_retention_days")
    quarantine_days = retention_days(args, "quarantine_retention_days")
    glue_context = GlueContext(SparkContext.getOrCreate())
    spark = glue_context.spark_session
    job = Job(glue_context)
    job.init(args["JOB_NAME"], args)

    window_ms = parse_window_size(args["window_size"])
    sql = prepare_sql(read_sql(args["sql_path"]))  # fails at start-up, not in the first batch
    products = ProductsCache(spark, args["products_table"], int(args["products_refresh_seconds"]))
    plans = PlanStore(args["checkpoint_location"])

    def process_batch(frame: DataFrame, batch_id: int) -> None:
        bounds = frame.agg(F.min(SOURCE_ARRIVAL).alias("lo"), F.max(SOURCE_ARRIVAL).alias("hi")).first()
        if bounds is None or bounds["lo"] is None:
            return  # empty batch: no window, no rows
        lo, hi = (to_epoch_ms(arrival_iso(bounds[name])) for name in ("lo", "hi"))
        # The window identity: derived from this batch's arrival range (identical on a re-run, which has
        # the same offsets), pushed past the previous batch's window, and persisted before any write so
        # a re-run reads it back. Reasoning in clickprice/window.py.
        plan = plans.plan(batch_id, lo, hi, window_ms)

        classified = frame.rdd.mapPartitions(classify_partition).cache()
        quarantined_at = to_iso(int(time.time() * 1000))
        quarantine_table = args["quarantine_table"]
        classified.filter(lambda pair: not pair[0]).foreachPartition(lambda pairs: put_items(
            quarantine_table,
            (quarantine_item(shard_id=s, sequence_number=q, arrived_at=a, reason=r, data=d,
                             quarantined_at=quarantined_at, retention_days=quarantine_days)
             for _, (s, q, a, r, d) in pairs)))

        spark.createDataFrame(classified.filter(lambda pair: pair[0]).map(lambda pair: pair[1]), CLICKS_SCHEMA) \
            .createOrReplaceTempView("clicks")
        products.get().createOrReplaceTempView("products")
        spark.createDataFrame(read_orders(args["orders_table"], plan), ORDERS_SCHEMA).createOrReplaceTempView("orders")
        spark.createDataFrame([(plan.window_start, plan.window_end)], "windowStart string, windowEnd string") \
            .createOrReplaceTempView("window_bounds")

        rows = spark.sql(sql).toLocalIterator()
        put_items(args["aggregates_table"], (aggregate_item(row.asDict(), aggregates_days) for row in rows))
        classified.unpersist()

    source = glue_context.create_data_frame.from_options(
        connection_type="kinesis",
        connection_options={"typeOfData": "kinesis", "streamARN": args["stream_arn"],
                            "startingPosition": "TRIM_HORIZON", "addRecordTimestamp": "true",
                            "avoidEmptyBatches": "true"},
        transformation_ctx="clicks_source",
    )
    glue_context.forEachBatch(frame=source, batch_function=process_batch, options={
        "windowSize": f"{window_ms // 1000} seconds", "checkpointLocation": args["checkpoint_location"]})
    job.commit()


if __name__ == "__main__":
    main()
