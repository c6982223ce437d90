"""One micro-batch of the rich path, on Spark: Glue's clicks frame in, the window's aggregates rows out.

The Glue job's shell (clickprice_aggregates.py) calls ``run_batch`` from ``forEachBatch``; the local
Spark engine and the tests call it with the same kind of frame (source.py's columns), so the code that
runs on Glue is the code the tests execute. Everything AWS-specific comes in as data (``Dynamo``: an
endpoint, for DynamoDB Local) or as an object the caller picks (the plan store: S3 on Glue, a
directory locally).

A batch:
  1. takes its window from the arrival times of its records (plans.py: the same window on a re-run);
  2. keeps the records the click rules accept (validation.py, on the parsed fields) and counts the rest;
  3. runs the one SQL file over the clicks, the products snapshot and the window's orders;
  4. writes the rows from the executors, each partition in batches of 25, with whole-item Puts: a re-run
     Puts the same items on the same keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Optional

import boto3
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import LongType, StringType, StructField, StructType, TimestampType

from .items import aggregate_item, in_window, order_row
from .keys import (ORDERS_TIME_INDEX, ORDERS_TIME_INDEX_PARTITION_KEY, ORDERS_TIME_INDEX_SORT_KEY,
                   order_time_buckets_between)
from .plans import PlanStore
from .source import SOURCE_TIMESTAMP_COLUMN, event_of
from .validation import validate_click_event
from .window import WindowPlan

#: The columns of the SQL's views (glue/aggregate-window.sql names them).
CLICKS_SCHEMA = StructType([StructField(name, kind) for name, kind in (
    ("eventId", StringType()), ("sessionId", StringType()), ("eventType", StringType()),
    ("productId", StringType()), ("quantity", LongType()), ("eventTime", StringType()))])
PRODUCTS_SCHEMA = StructType([StructField("productId", StringType()), StructField("category", StringType()),
                              StructField("inventory", LongType()), StructField("price", LongType())])
ORDERS_SCHEMA = StructType([StructField("orderId", StringType()), StructField("productId", StringType()),
                            StructField("quantity", LongType()), StructField("unitPrice", LongType()),
                            StructField(ORDERS_TIME_INDEX_SORT_KEY, StringType())])


@dataclass(frozen=True)
class Dynamo:
    """How to reach DynamoDB, as plain data so executors can build their own client from it."""

    endpoint_url: Optional[str] = None
    region: Optional[str] = None

    def resource(self) -> Any:
        """Values as Python types (numbers as Decimal): for items."""
        return boto3.resource("dynamodb", endpoint_url=self.endpoint_url, region_name=self.region)

    def client(self) -> Any:
        """Values in DynamoDB's typed JSON (``{"N": "3"}``): for the paginated Scan."""
        return boto3.client("dynamodb", endpoint_url=self.endpoint_url, region_name=self.region)


@dataclass(frozen=True)
class BatchSettings:
    window_ms: int
    #: How far a batch's orders range lags its window (window.py).
    order_grace_ms: int
    aggregates_table: str
    aggregates_retention_days: int
    orders_table: str
    dynamo: Dynamo


@dataclass(frozen=True)
class BatchResult:
    """What one batch did, for the job's log (and the tests)."""

    batch_id: int
    window_start: str
    window_end: str
    records: int
    events: int
    rejected: int
    orders: int
    rows: int
    #: The newest record's arrival (epoch ms): the progress item's newestArrivalAt, for the lag.
    newest_arrival_ms: int


def arrival_ms_column(frame: DataFrame) -> Any:
    """``__src_timestamp`` as epoch milliseconds, whether the source gives a timestamp or a number."""
    column = F.col(f"`{SOURCE_TIMESTAMP_COLUMN}`")
    if isinstance(frame.schema[SOURCE_TIMESTAMP_COLUMN].dataType, TimestampType):
        # unix_millis keeps whole milliseconds, the precision of Kinesis arrival times.
        return F.expr(f"unix_millis(`{SOURCE_TIMESTAMP_COLUMN}`)")
    return column.cast("long")


def classify_rows(rows: Iterable[Any]) -> Iterator[tuple[bool, tuple]]:
    """Runs on executors: (True, the SQL's click columns) for accepted rows, (False, (field,)) otherwise."""
    for row in rows:
        result = validate_click_event(event_of(row.asDict()))
        if result.ok:
            event = result.value
            yield (True, (event["eventId"], event["sessionId"], event["eventType"], event["productId"],
                          event["quantity"], event["eventTime"]))
        else:
            yield (False, (result.field,))


def read_orders(dynamo: Dynamo, table_name: str, plan: WindowPlan) -> list[tuple]:
    """The batch's orders (its orders range): one Query per (minute, shard) bucket on the time-bucket index."""
    table = dynamo.resource().Table(table_name)
    orders = []
    for bucket in order_time_buckets_between(plan.orders_start, plan.orders_end):
        kwargs = {"IndexName": ORDERS_TIME_INDEX,
                  "KeyConditionExpression": f"{ORDERS_TIME_INDEX_PARTITION_KEY} = :b AND "
                                            f"{ORDERS_TIME_INDEX_SORT_KEY} BETWEEN :s AND :e",
                  "ExpressionAttributeValues": {":b": bucket, ":s": plan.orders_start, ":e": plan.orders_end}}
        while True:
            page = table.query(**kwargs)
            for item in page["Items"]:
                row = order_row(item)
                if in_window(row["orderedAt"], plan.orders_start, plan.orders_end):
                    orders.append((row["orderId"], row["productId"], row["quantity"], row["unitPrice"],
                                   row["orderedAt"]))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return orders


def write_partition(dynamo: Dynamo, table_name: str, retention_days: int) -> Callable[[Iterable[Any]], None]:
    """A foreachPartition function: whole-item Puts through batch_writer (25 per call, unprocessed
    items retried), from the executor that holds the partition."""

    def write(rows: Iterable[Any]) -> None:
        with dynamo.resource().Table(table_name).batch_writer() as writer:
            for row in rows:
                writer.put_item(Item=aggregate_item(row.asDict(), retention_days))

    return write


def run_batch(
    spark: SparkSession,
    frame: DataFrame,
    batch_id: int,
    *,
    settings: BatchSettings,
    plans: PlanStore,
    products: DataFrame,
    sql: str,
) -> Optional[BatchResult]:
    """Aggregates one micro-batch of the clicks source into its window's rows; None for an empty one."""
    bounds = frame.agg(F.min(arrival_ms_column(frame)).alias("lo"), F.max(arrival_ms_column(frame)).alias("hi"),
                       F.count(F.lit(1)).alias("records")).first()
    if bounds is None or bounds["lo"] is None:
        return None
    plan = plans.plan(batch_id, int(bounds["lo"]), int(bounds["hi"]), settings.window_ms, settings.order_grace_ms)

    classified = frame.rdd.mapPartitions(classify_rows).cache()
    try:
        clicks = spark.createDataFrame(classified.filter(lambda pair: pair[0]).map(lambda pair: pair[1]),
                                       CLICKS_SCHEMA)
        clicks.createOrReplaceTempView("clicks")
        events = clicks.count()
        products.createOrReplaceTempView("products")
        orders = read_orders(settings.dynamo, settings.orders_table, plan)
        spark.createDataFrame(orders, ORDERS_SCHEMA).createOrReplaceTempView("orders")
        spark.createDataFrame([(plan.window_start, plan.window_end, plan.orders_start, plan.orders_end)],
                              "windowStart string, windowEnd string, ordersStart string, ordersEnd string") \
            .createOrReplaceTempView("window_bounds")

        rows = spark.sql(sql).cache()
        try:
            rows.foreachPartition(write_partition(settings.dynamo, settings.aggregates_table,
                                                  settings.aggregates_retention_days))
            written = rows.count()
        finally:
            rows.unpersist()
    finally:
        classified.unpersist()
    records = int(bounds["records"])
    return BatchResult(batch_id=batch_id, window_start=plan.window_start, window_end=plan.window_end,
                       records=records, events=events, rejected=records - events, orders=len(orders),
                       rows=written, newest_arrival_ms=int(bounds["hi"]))
