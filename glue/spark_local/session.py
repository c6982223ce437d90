"""A local Spark session set up the way the Glue job's code expects to run."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from pyspark.sql import SparkSession

GLUE_DIR = Path(__file__).resolve().parents[1]


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
