"""Runs one micro-batch of the Glue job's batch logic on a local Spark, against DynamoDB Local.

    .venv-glue/bin/python glue/spark_local/run_batch.py SPEC.json

SPEC: {"records": JSONL path ({"data": text, "arrivedAtMs": n} per line), "batchId": n, "planDir": dir,
"windowMs": n, "dynamodbEndpoint": url, "region": name, "tables": {"products", "orders", "aggregates"},
"aggregatesRetentionDays": n, "shapesOut": optional path}. Prints the batch's result as one JSON line;
with shapesOut, also writes each record's source row (the frame's columns) as JSON lines, in order.
Credentials come from the environment (DynamoDB Local accepts any).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

GLUE_DIR = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(GLUE_DIR / "job"), str(GLUE_DIR)]

from pyspark.sql import SparkSession  # noqa: E402

from clickprice.batch import BatchSettings, Dynamo, run_batch  # noqa: E402
from clickprice.plans import DirectoryPlanStore  # noqa: E402
from clickprice.products import ProductsSnapshot  # noqa: E402
from clickprice.source import CLICK_COLUMNS  # noqa: E402
from clickprice.sql import load_sql, prepare_sql  # noqa: E402

from spark_local.source import glue_source_frame  # noqa: E402


def local_spark() -> SparkSession:
    """Two local cores, no UI, UTC, executors on this same interpreter, and the clickprice package
    shipped to them as a zip, as Glue ships it (``--extra-py-files``)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (SparkSession.builder.master("local[2]").appName("clickprice-local")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    staging = tempfile.mkdtemp(prefix="clickprice-py-")
    package = shutil.make_archive(os.path.join(staging, "clickprice"), "zip", GLUE_DIR / "job", "clickprice")
    spark.sparkContext.addPyFile(package)
    return spark


def main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    lines = Path(spec["records"]).read_text(encoding="utf-8").splitlines()
    records = [(entry["data"], int(entry["arrivedAtMs"])) for entry in map(json.loads, lines) if entry]
    dynamo = Dynamo(endpoint_url=spec["dynamodbEndpoint"], region=spec["region"])
    tables = spec["tables"]
    settings = BatchSettings(window_ms=int(spec["windowMs"]), aggregates_table=tables["aggregates"],
                             aggregates_retention_days=int(spec["aggregatesRetentionDays"]),
                             orders_table=tables["orders"], dynamo=dynamo)
    spark = local_spark()
    try:
        frame = glue_source_frame(spark, records)
        if spec.get("shapesOut"):
            names = [name for name, _ in CLICK_COLUMNS]
            with open(spec["shapesOut"], "w", encoding="utf-8") as out:
                for row in frame.select(*names).collect():
                    out.write(json.dumps(row.asDict()) + "\n")
        products = ProductsSnapshot(spark, dynamo, tables["products"], refresh_seconds=0)
        result = run_batch(spark, frame, int(spec["batchId"]), settings=settings,
                           plans=DirectoryPlanStore(spec["planDir"]), products=products.get(),
                           sql=prepare_sql(load_sql()))
        print(json.dumps(asdict(result) if result is not None else None), flush=True)
    finally:
        spark.stop()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
