"""The local Spark engine's worker: one Spark session, one micro-batch per request, for as long as the
local Glue engine (glue/local-engine/spark-aggregation.ts) runs it.

    .venv-glue/bin/python glue/spark_local/worker.py CONFIG.json

CONFIG: {"dynamodbEndpoint", "region", "tables": {"products", "orders", "aggregates"},
"aggregatesRetentionDays", "windowMs", "productsRefreshSeconds", "planDir"}. Each stdin line is a batch:
{"batchId": n, "records": JSONL path ({"data", "arrivedAtMs"} per line), "shapesOut": optional path,
where each record's source row (the frame's click columns) is written as a JSON line, in order, for
the tests}; each is answered by one
stdout line, {"ok": true, "result": {...}} or {"ok": false, "error": "..."}. "ready" is printed once
Spark is up. The batch's window must already be in planDir (the engine's planner decides it, as
Spark's offset log does on Glue); the worker runs the Glue job's own run_batch over the batch's
records in the frame Glue's Kinesis source gives.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from dataclasses import asdict
from pathlib import Path

GLUE_DIR = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(GLUE_DIR / "job"), str(GLUE_DIR)]

from clickprice.batch import BatchSettings, Dynamo, run_batch  # noqa: E402
from clickprice.plans import DirectoryPlanStore  # noqa: E402
from clickprice.products import ProductsSnapshot  # noqa: E402
from clickprice.sql import load_sql, prepare_sql  # noqa: E402

from spark_local.session import local_spark  # noqa: E402
from spark_local.source import glue_source_frame, read_records, write_shapes  # noqa: E402


def answer(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main(config_path: str) -> None:
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    tables = config["tables"]
    dynamo = Dynamo(endpoint_url=config["dynamodbEndpoint"], region=config["region"])
    settings = BatchSettings(window_ms=int(config["windowMs"]), order_grace_ms=int(config["orderGraceMs"]),
                             aggregates_table=tables["aggregates"],
                             aggregates_retention_days=int(config["aggregatesRetentionDays"]),
                             orders_table=tables["orders"], dynamo=dynamo)
    sql = prepare_sql(load_sql())
    spark = local_spark()
    products = ProductsSnapshot(spark, dynamo, tables["products"], int(config["productsRefreshSeconds"]))
    plans = DirectoryPlanStore(config["planDir"])
    answer({"ready": True})
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            started = time.monotonic()
            try:
                request = json.loads(line)
                frame = glue_source_frame(spark, read_records(request["records"]))
                if request.get("shapesOut"):
                    write_shapes(frame, request["shapesOut"])
                result = run_batch(spark, frame, int(request["batchId"]), settings=settings, plans=plans,
                                   products=products.get(), sql=sql)
                answer({"ok": True, "result": asdict(result) if result is not None else None,
                        "sparkMs": round((time.monotonic() - started) * 1000)})
            except Exception as error:  # the engine retries the batch; the worker stays up
                answer({"ok": False, "error": f"{type(error).__name__}: {error}",
                        "trace": traceback.format_exc()[-4000:]})
    finally:
        spark.stop()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
