"""Runs the Glue job's entry script (glue/job/clickprice_aggregates.py) as a Glue run would, on local
Spark, with the ``awsglue`` stand-in beside this file, an S3 stand-in, and DynamoDB where
AWS_ENDPOINT_URL_DYNAMODB points:

    .venv-glue/bin/python test/helpers/glue_fake/run_glue_job.py CONFIG.json

CONFIG: {"argv": [the run's arguments, as Glue passes them], "script" and "packageDir" (the entry
script and the ``clickprice`` package as CDK staged them for upload: what Glue runs, with nothing of
the repository beside them), "streamDir", "sparkCheckpointDir", "s3Dir" (the S3 stand-in's files:
<bucket>/<key>)}. The last stdout line is JSON: the ``awsglue`` calls the script made, and the S3
objects after the run (key → text).
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path[:0] = [str(HERE), str(REPO / "glue")]

from s3_stand_in import start_s3  # noqa: E402

from spark_local.session import local_spark  # noqa: E402

# The repository's glue/ no longer: the script finds only the staged package, as on Glue.
sys.path.remove(str(REPO / "glue"))


def main(config_path: str) -> None:
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    s3_dir = Path(config["s3Dir"])
    endpoint, server = start_s3(s3_dir)
    os.environ["AWS_ENDPOINT_URL_S3"] = endpoint
    os.environ["FAKE_GLUE_STREAM_DIR"] = config["streamDir"]
    os.environ["FAKE_GLUE_CHECKPOINT_DIR"] = config["sparkCheckpointDir"]
    # Glue's SparkContext, which the script's getOrCreate finds; executors get the staged package.
    spark = local_spark(config["packageDir"])
    try:
        import awsglue

        sys.path.insert(0, config["packageDir"])
        sys.argv = [config["script"], *config["argv"]]
        runpy.run_path(config["script"], run_name="__main__")
        objects = {str(path.relative_to(s3_dir)): path.read_text(encoding="utf-8")
                   for path in sorted(s3_dir.rglob("*")) if path.is_file()}
        print(json.dumps({"calls": awsglue.calls, "s3": objects}), flush=True)
    finally:
        spark.stop()
        server.shutdown()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
