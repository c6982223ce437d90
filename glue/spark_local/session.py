"""A local Spark session set up the way the Glue job's code expects to run."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

from pyspark.sql import SparkSession

GLUE_DIR = Path(__file__).resolve().parents[1]


def local_spark(package_root: "str | Path" = GLUE_DIR / "job") -> SparkSession:
    """Two local cores, no UI, UTC, executors on this same interpreter, and the clickprice package
    (under ``package_root``) shipped to them as a zip, as Glue ships it (``--extra-py-files``)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (SparkSession.builder.master("local[2]").appName("clickprice-local")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    staging = tempfile.mkdtemp(prefix="clickprice-py-")
    atexit.register(shutil.rmtree, staging, ignore_errors=True)
    package = shutil.make_archive(os.path.join(staging, "clickprice"), "zip", package_root, "clickprice")
    spark.sparkContext.addPyFile(package)
    return spark
