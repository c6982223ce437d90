"""clickprice rich path: the Glue 4.0 streaming job, Kinesis clicks -> aggregates table.

The Glue-only shell: arguments, GlueContext, the Kinesis source and forEachBatch. What a batch does is
``clickprice.batch.run_batch`` (shipped with ``--extra-py-files``), which the tests run on real Spark.

Job arguments (``--name value``, listed in clickprice/job_args.py), all passed by CDK:
  stream_arn, products_table, orders_table, aggregates_table, checkpoint_location
  aggregates_retention_days (the table catalogue's)
  pricing_config_table (where each committed batch's progress item goes: clickprice/progress.py)
  window_size (glue/window-config.json's windowSizeSeconds, e.g. "60 seconds")
  order_grace_seconds (how far a batch's orders lag its window: glue/window-config.json's)
  sql_path (the SQL asset, s3://...; a local path also reads)
  products_refresh_seconds (optional, default 300)
  fanout_consumer_arn (optional: the job's enhanced fan-out consumer; else shared-throughput reads)
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict

import boto3
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

from clickprice.batch import BatchSettings, Dynamo, run_batch
from clickprice.job_args import OPTIONAL, REQUIRED, retention_days
from clickprice.plans import S3PlanStore
from clickprice.progress import progress_item, record_progress
from clickprice.products import ProductsSnapshot
from clickprice.source import kinesis_source_options
from clickprice.sql import load_sql, prepare_sql
from clickprice.window import parse_window_size


def resolve_args(argv: list[str]) -> dict[str, str]:
    """Required arguments via getResolvedOptions; optional ones only when passed (it rejects absent ones)."""
    present = [name for name in OPTIONAL if f"--{name}" in argv]
    args = {name: default for name, default in OPTIONAL.items()}
    args.update(getResolvedOptions(argv, REQUIRED + present))
    return args


def read_sql(path: str) -> str:
    if path.startswith("s3://"):
        bucket, key = path[5:].split("/", 1)
        return boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
    return load_sql(path)


def main() -> None:
    args = resolve_args(sys.argv)
    # Read before Spark starts: a bad value stops the job at once, naming the argument.
    window_ms = parse_window_size(args["window_size"])
    source_options = kinesis_source_options(args["stream_arn"], args["fanout_consumer_arn"])
    order_grace_ms = int(args["order_grace_seconds"]) * 1000
    if not 0 <= order_grace_ms < window_ms:
        raise ValueError(f"--order_grace_seconds must be from 0 to below the window size, got {args['order_grace_seconds']}")
    settings = BatchSettings(window_ms=window_ms, order_grace_ms=order_grace_ms, aggregates_table=args["aggregates_table"],
                             aggregates_retention_days=retention_days(args, "aggregates_retention_days"),
                             orders_table=args["orders_table"], dynamo=Dynamo())
    sql = prepare_sql(read_sql(args["sql_path"]))  # fails at start-up, not in the first batch

    glue_context = GlueContext(SparkContext.getOrCreate())
    spark = glue_context.spark_session
    job = Job(glue_context)
    job.init(args["JOB_NAME"], args)
    products = ProductsSnapshot(spark, settings.dynamo, args["products_table"], int(args["products_refresh_seconds"]))
    plans = S3PlanStore(args["checkpoint_location"], boto3.client("s3"))

    def process_batch(frame, batch_id: int) -> None:
        result = run_batch(spark, frame, batch_id, settings=settings, plans=plans, products=products.get(), sql=sql)
        if result is not None:
            print(json.dumps({"message": "clickprice batch committed", **asdict(result)}), flush=True)
            # Only the pipeline's health reads it: a failed write must not stop the streaming run.
            try:
                record_progress(settings.dynamo, args["pricing_config_table"],
                                progress_item(result, committed_at_ms=time.time_ns() // 1_000_000))
            except Exception as error:  # noqa: BLE001 - logged and carried on, by design
                print(json.dumps({"message": "clickprice progress not recorded", "batch_id": batch_id,
                                  "error": repr(error)}), flush=True)

    source = glue_context.create_data_frame.from_options(
        connection_type="kinesis", connection_options=source_options, transformation_ctx="clicks_source")
    glue_context.forEachBatch(frame=source, batch_function=process_batch, options={
        "windowSize": f"{window_ms // 1000} seconds", "checkpointLocation": args["checkpoint_location"]})
    # On Glue forEachBatch runs until the run is stopped, or raises: this is reached only when a
    # stand-in ends the stream (the tests' runs). Bookmarks are off; the checkpoint is the job's state.
    job.commit()


if __name__ == "__main__":
    main()
