"""The job's arguments (``--name value``), pure so unit tests and the CDK template test can read them.

The aggregates' retention days come from the table catalogue (definitions/resources.ts) through the job's default
arguments, so the job and the TypeScript store expire rows after the same number of days. The pricing-config table
receives the job's progress item after each committed batch (progress.py), which the pipeline API reads.
"""

from __future__ import annotations

from typing import Mapping

# The window size, the order grace and the SQL are required too: CDK passes them from glue/window-config.json
# and the SQL asset, and the files a default would read are not in the package Glue is given.
REQUIRED = ["JOB_NAME", "stream_arn", "products_table", "orders_table", "aggregates_table",
            "checkpoint_location", "aggregates_retention_days", "pricing_config_table",
            "window_size", "order_grace_seconds", "sql_path"]
OPTIONAL = {"products_refresh_seconds": "300", "fanout_consumer_arn": None}


def retention_days(args: Mapping[str, str], name: str) -> int:
    """A ``*_retention_days`` argument as a whole number of days, refusing anything else by name."""
    text = args[name]
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"--{name} must be a whole number of days >= 1, got {text!r}")
    return int(text)
