"""A micro-batch's plan is kept: a re-run reads it back, the next batch follows it, no file is half written."""

import os
import tempfile
import unittest
from pathlib import Path

from clickprice.keys import to_epoch_ms
from clickprice.plans import DirectoryPlanStore
from clickprice.window import WindowPlan, plan_window

MINUTE = 60_000
GRACE = 15_000
T0 = to_epoch_ms("2026-11-21T23:01:00.000Z")


class PlanStorePlan(unittest.TestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.directory = Path(folder.name)
        self.store = DirectoryPlanStore(self.directory)

    def stored(self, name: str) -> str:
        return (self.directory / name).read_text(encoding="utf-8")

    def test_a_first_batch_gets_the_window_of_its_arrivals_and_is_written_as_itself_and_as_latest(self) -> None:
        plan = self.store.plan(0, T0 + 5_000, T0 + 50_000, MINUTE, GRACE)
        self.assertEqual(plan, WindowPlan(0, "2026-11-21T23:01:00.000Z", "2026-11-21T23:02:00.000Z",
                                          "2026-11-21T23:00:45.000Z", "2026-11-21T23:01:45.000Z"))
        self.assertEqual(WindowPlan.from_json(self.stored("0.json")), plan)
        self.assertEqual(self.stored("latest.json"), self.stored("0.json"))

    def test_the_next_batch_follows_the_previous_plan_in_window_and_orders(self) -> None:
        self.store.plan(0, T0 + 5_000, T0 + 50_000, MINUTE, GRACE)
        plan = self.store.plan(1, T0 + 55_000, T0 + 58_000, MINUTE, GRACE)  # batch 0's slot
        self.assertEqual((plan.window_start, plan.window_end), ("2026-11-21T23:02:00.000Z", "2026-11-21T23:03:00.000Z"))
        self.assertEqual((plan.orders_start, plan.orders_end), ("2026-11-21T23:01:45.000Z", "2026-11-21T23:02:45.000Z"))
        self.assertEqual(WindowPlan.from_json(self.stored("latest.json")), plan)

    def test_a_re_run_returns_its_stored_plan_and_leaves_latest_on_the_later_batch(self) -> None:
        first = self.store.plan(0, T0 + 5_000, T0 + 50_000, MINUTE, GRACE)
        later = self.store.plan(1, T0 + MINUTE, T0 + MINUTE + 1, MINUTE, GRACE)
        again = self.store.plan(0, T0 + 10 * MINUTE, T0 + 12 * MINUTE, MINUTE, GRACE)
        self.assertEqual(again, first)
        self.assertEqual(WindowPlan.from_json(self.stored("0.json")), first)
        self.assertEqual(self.stored("latest.json"), later.to_json())

    def test_a_batch_id_not_above_latest_is_planned_without_a_previous_plan(self) -> None:
        self.store.plan(5, T0, T0 + 3 * MINUTE, MINUTE, GRACE)  # latest ends at 23:04
        plan = self.store.plan(2, T0 + 5_000, T0 + 50_000, MINUTE, GRACE)
        self.assertEqual(plan, plan_window(2, T0 + 5_000, T0 + 50_000, MINUTE, None, GRACE))

    def test_plans_are_read_back_by_a_new_store_on_the_same_directory(self) -> None:
        first = self.store.plan(0, T0 + 5_000, T0 + 50_000, MINUTE, GRACE)
        resumed = DirectoryPlanStore(self.directory)
        self.assertEqual(resumed.plan(0, T0 + 10 * MINUTE, T0 + 10 * MINUTE, MINUTE, GRACE), first)
        following = resumed.plan(1, T0 + 55_000, T0 + 58_000, MINUTE, GRACE)
        self.assertEqual(following, plan_window(1, T0 + 55_000, T0 + 58_000, MINUTE, first, GRACE))
        self.assertEqual(following.window_start, first.window_end)

    def test_each_file_is_written_whole_with_no_staged_file_left(self) -> None:
        self.store.plan(0, T0, T0 + 1, MINUTE, GRACE)
        self.store.plan(1, T0 + MINUTE, T0 + MINUTE + 1, MINUTE, GRACE)
        self.assertEqual(sorted(os.listdir(self.directory)), ["0.json", "1.json", "latest.json"])


if __name__ == "__main__":
    unittest.main()
