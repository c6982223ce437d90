"""Where each micro-batch's window plan is kept (window.py says why it must be): beside the Spark
checkpoint on S3 in Glue, in a directory for the local Spark engine and the tests.

``<batchId>.json`` is written before any row of the batch, ``latest.json`` after it; a re-run of a
batch finds its own plan and writes the same keys again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from .window import WindowPlan, plan_window


class PlanStore:
    """The plans of one job; subclasses say where the two kinds of file live."""

    def _read(self, name: str) -> Optional[str]:
        raise NotImplementedError

    def _write(self, name: str, text: str) -> None:
        raise NotImplementedError

    def plan(self, batch_id: int, min_arrival_ms: int, max_arrival_ms: int, window_ms: int,
             order_grace_ms: int = 0) -> WindowPlan:
        existing = self._read(f"{batch_id}.json")
        if existing is not None:  # a re-run of this batch: same window, same keys
            return WindowPlan.from_json(existing)
        latest_text = self._read("latest.json")
        latest = WindowPlan.from_json(latest_text) if latest_text is not None else None
        previous = latest if latest is not None and latest.batch_id < batch_id else None
        plan = plan_window(batch_id, min_arrival_ms, max_arrival_ms, window_ms, previous, order_grace_ms)
        for name in (f"{batch_id}.json", "latest.json"):
            self._write(name, plan.to_json())
        return plan


class S3PlanStore(PlanStore):
    """Under ``<checkpoint_location>/clickprice-window-plans/``."""

    def __init__(self, checkpoint_location: str, s3_client) -> None:
        if not checkpoint_location.startswith("s3://"):
            raise ValueError(f"--checkpoint_location must be an s3:// URL, got {checkpoint_location!r}")
        bucket, _, prefix = checkpoint_location.removeprefix("s3://").partition("/")
        self.bucket, self.prefix, self.s3 = bucket, prefix.rstrip("/") + "/clickprice-window-plans/", s3_client

    def _read(self, name: str) -> Optional[str]:
        try:
            return self.s3.get_object(Bucket=self.bucket, Key=self.prefix + name)["Body"].read().decode("utf-8")
        except self.s3.exceptions.NoSuchKey:
            return None

    def _write(self, name: str, text: str) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=self.prefix + name, Body=text.encode("utf-8"))


class DirectoryPlanStore(PlanStore):
    """In a local directory; each file is replaced whole (written aside, then renamed)."""

    def __init__(self, directory: "str | Path") -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def _read(self, name: str) -> Optional[str]:
        path = self.directory / name
        return path.read_text(encoding="utf-8") if path.exists() else None

    def _write(self, name: str, text: str) -> None:
        staged = self.directory / f".{name}.tmp"
        staged.write_text(text, encoding="utf-8")
        staged.replace(self.directory / name)
