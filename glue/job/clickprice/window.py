"""Which window a micro-batch writes, decided once and kept, so a re-run writes the same keys.

Spark re-runs a failed micro-batch after a restart with the same batchId and the same offsets (its
offset log is in the checkpoint), so the batch's records, and their arrival timestamps, are the same.
The window is therefore derived from the data, never from the wall clock:

    start = floor(min arrival, window size)   end = floor(max arrival, window size) + window size

and then pushed past the previous batch's window (start = max(start, previous end)), so two
micro-batches never share a (productId, windowStart) key: a later Put would otherwise replace an
earlier batch's counts with its own. The previous end is an input, so the plan is persisted next to the
checkpoint (``plans/<batchId>.json``, written before any row) and a re-run reads its plan back instead
of recomputing it: the same role the local engine's persisted batch plan plays. A backlog batch that
spans several slots gets one wider window, which is what it measured.

A batch counts the orders placed in its own range, which lags the window by a grace period
(``orderGraceSeconds`` of glue/window-config.json): from the previous plan's orders end to the grace
before this window's end. An order reaches the orders index a moment after it is placed; the grace
leaves the latest ones to the next batch instead of missing them, and since the ranges follow one
another, every order is counted once, even across a quiet gap between windows.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Optional

from .keys import floor_to_window, to_epoch_ms, to_iso

_WINDOW_SIZE = re.compile(r"([0-9]+)\s*(?:s|sec|secs|second|seconds)?")


@dataclass(frozen=True)
class WindowPlan:
    """The window of one micro-batch: [windowStart, windowEnd), canonical timestamps."""

    batch_id: int
    window_start: str
    window_end: str
    orders_start: str
    orders_end: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @staticmethod
    def from_json(text: str) -> "WindowPlan":
        data = json.loads(text)
        return WindowPlan(int(data["batch_id"]), str(data["window_start"]), str(data["window_end"]),
                          str(data["orders_start"]), str(data["orders_end"]))


def plan_window(
    batch_id: int,
    min_arrival_ms: int,
    max_arrival_ms: int,
    window_ms: int,
    previous: "Optional[WindowPlan]" = None,
    order_grace_ms: int = 0,
) -> WindowPlan:
    """The window (and orders range) of a batch from its arrival-time range and the previous batch's plan."""
    if max_arrival_ms < min_arrival_ms:
        raise ValueError("max arrival precedes min arrival")
    start = floor_to_window(min_arrival_ms, window_ms)
    end = floor_to_window(max_arrival_ms, window_ms) + window_ms
    if previous is not None:
        start = max(start, to_epoch_ms(previous.window_end))
        end = max(end, start + window_ms)
    orders_start = to_epoch_ms(previous.orders_end) if previous is not None else start - order_grace_ms
    orders_end = max(end - order_grace_ms, orders_start)
    return WindowPlan(batch_id, to_iso(start), to_iso(end), to_iso(orders_start), to_iso(orders_end))


def parse_window_size(text: str) -> int:
    """``"60 seconds"``, ``"60s"`` or ``"60"`` to milliseconds: forEachBatch's windowSize, in seconds."""
    match = _WINDOW_SIZE.fullmatch(str(text).strip().lower())
    if match is None or int(match.group(1)) <= 0:
        raise ValueError(f"window size must be a positive whole number of seconds: {text!r}")
    return int(match.group(1)) * 1000

