"""``GlueContext``: the Kinesis streaming source and ``forEachBatch``.

The source reads a directory standing in for the stream (FAKE_GLUE_STREAM_DIR: JSON lines of
``{"data": payload text, "arrivedAtMs": n}``) as a Spark stream, and gives what Glue's Kinesis source
documents for ``classification: json`` with ``inferSchema: false``: the payload parsed with the
``schema`` option's DDL, plus ``__src_timestamp`` (the arrival) when ``addRecordTimestamp`` is true.
Options Glue does not document for Kinesis are refused here (Glue itself ignores them silently).

``forEachBatch`` is Glue's: the options it requires, each micro-batch persisted and counted, an empty
one skipped, up to ``batchMaxRetries`` restarts of the query from its checkpoint. One difference, so a
test ends: the trigger is ``availableNow`` (every record present, then stop), not
``processingTime=windowSize``. Spark's own checkpoint goes to FAKE_GLUE_CHECKPOINT_DIR (Glue writes it
to the s3:// location through its S3 file system, which local Spark lacks).
"""

from __future__ import annotations

import os

from pyspark import StorageLevel
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from . import calls

# The Kinesis connection options of Glue's documentation (AWS Glue, "Kinesis connection option reference").
KINESIS_OPTIONS = {
    "streamARN", "streamName", "endpointUrl", "awsSTSRoleARN", "awsSTSSessionName", "awsSTSEndpoint",
    "classification", "inferSchema", "schema", "startingPosition", "startingTimestamp", "maxFetchTimeInMs",
    "maxFetchRecordsPerShard", "maxRecordPerRead", "addIdleTimeBetweenReads", "idleTimeBetweenReadsInMs",
    "describeShardInterval", "numRetries", "retryIntervalMs", "maxRetryIntervalMs", "avoidEmptyBatches",
    "addRecordTimestamp", "emitConsumerLagMetrics", "fanoutConsumerARN", "delimiter", "kinesisEndpoint",
}


class _DataFrameReader:
    def __init__(self, glue_context: "GlueContext") -> None:
        self._glue_context = glue_context

    def from_options(self, connection_type, connection_options=None, format=None, format_options=None,
                     transformation_ctx="", push_down_predicate="", **kwargs):
        return self._glue_context.create_data_frame_from_options(
            connection_type, connection_options or {}, format, format_options or {}, transformation_ctx)


class GlueContext:
    def __init__(self, spark_context, **options) -> None:
        self._sc = spark_context
        self.spark_session = SparkSession(spark_context)
        self.create_data_frame = _DataFrameReader(self)

    def create_data_frame_from_options(self, connection_type, connection_options, format=None,
                                       format_options=None, transformation_ctx=""):
        if connection_type != "kinesis":
            raise ValueError(f"this stand-in reads Kinesis only, got {connection_type!r}")
        unknown = sorted(set(connection_options) - KINESIS_OPTIONS)
        if unknown:
            raise ValueError(f"not Kinesis connection options of Glue's docs: {unknown}")
        if "streamARN" not in connection_options and "streamName" not in connection_options:
            raise ValueError("a Kinesis source needs streamARN or streamName")
        if connection_options.get("inferSchema", "false") == "false" and "schema" not in connection_options:
            raise ValueError("schema is required when inferSchema is false")
        calls.append({"call": "create_data_frame.from_options", "connectionType": connection_type,
                      "connectionOptions": dict(connection_options), "transformationCtx": transformation_ctx})
        raw = (self.spark_session.readStream.schema("data STRING, arrivedAtMs BIGINT")
               .json(os.environ["FAKE_GLUE_STREAM_DIR"]))
        parsed = raw.select(F.from_json("data", connection_options["schema"]).alias("record"), "arrivedAtMs")
        columns = [F.col("record.*")]
        if connection_options.get("addRecordTimestamp") == "true":
            columns.append(F.expr("timestamp_millis(arrivedAtMs)").alias("__src_timestamp"))
        return parsed.select(*columns)

    def forEachBatch(self, frame, batch_function, options=None):  # noqa: N802 - Glue's name
        options = options or {}
        for required in ("windowSize", "checkpointLocation"):
            if required not in options:
                raise Exception(f"Missing {required} argument")
        retries = int(options.get("batchMaxRetries", 3))
        if not 0 <= retries <= 100:
            raise ValueError("batchMaxRetries must be from 0 to 100")
        calls.append({"call": "forEachBatch", "options": dict(options)})

        def persisted(data_frame, batch_id):
            data_frame.persist(StorageLevel.MEMORY_AND_DISK)
            try:
                if data_frame.count() > 0:
                    batch_function(data_frame, batch_id)
                    calls.append({"call": "batch", "batchId": batch_id})
            finally:
                data_frame.unpersist()

        query = (frame.writeStream.foreachBatch(persisted).trigger(availableNow=True)
                 .option("checkpointLocation", os.environ["FAKE_GLUE_CHECKPOINT_DIR"]))
        attempt = 0
        while True:
            try:
                query.start().awaitTermination()
                return
            except Exception:
                attempt += 1
                if attempt > retries:
                    raise
