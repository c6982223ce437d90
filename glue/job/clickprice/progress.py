"""The rich path's progress: one item in the pricing-config table, rewritten after each committed batch.

Pricing ops' pipeline API reads it to show the last committed batch, its window, the rows it wrote and
the lag; the local engines write the same item from TypeScript (glue/job/tests/vectors/rich-path-progress.json
is the shape both build). The Put is conditional on the window's end, so a re-run of an older batch
(Spark replays one after a restart) never moves the progress back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .keys import to_iso

if TYPE_CHECKING:  # batch.py imports pyspark; this module stays importable with the standard library alone
    from .batch import BatchResult, Dynamo

PROGRESS_CONFIG_KEY = "rich-path-progress"
NOT_OLDER_THAN_STORED = "attribute_not_exists(configKey) OR windowEnd <= :windowEnd"


def progress_item(result: "BatchResult", committed_at_ms: int, engine: str = "glue") -> dict[str, Any]:
    """The progress item of a committed batch: integers and canonical timestamps, as the TypeScript side writes it."""
    return {
        "configKey": PROGRESS_CONFIG_KEY,
        "batchId": int(result.batch_id),
        "windowStart": result.window_start,
        "windowEnd": result.window_end,
        "records": int(result.records),
        "rejected": int(result.rejected),
        "rows": int(result.rows),
        "newestArrivalAt": to_iso(result.newest_arrival_ms),
        "committedAt": to_iso(committed_at_ms),
        "engine": engine,
    }


def record_progress(dynamo: "Dynamo", table_name: str, item: dict[str, Any]) -> bool:
    """Puts the item unless the stored one has a later window: True when written, False when refused.

    Canonical timestamps compare as strings in time order, so the condition is a string comparison.
    Any other error propagates; the job's batch function logs it and carries on (only health reads this).
    """
    from botocore.exceptions import ClientError

    table = dynamo.resource().Table(table_name)
    try:
        table.put_item(Item=item, ConditionExpression=NOT_OLDER_THAN_STORED,
                       ExpressionAttributeValues={":windowEnd": item["windowEnd"]})
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True
