"""A micro-batch's window: the same on a re-run, never shared with another batch."""

import unittest

from clickprice.keys import to_epoch_ms
from clickprice.window import WindowPlan, parse_window_size, plan_window

MINUTE = 60_000
T0 = to_epoch_ms("2026-11-21T23:01:00.000Z")


GRACE = 15_000


def previous_plan(window_end: str, orders_end: str) -> WindowPlan:
    return WindowPlan(6, "2026-11-21T23:00:00.000Z", window_end, "2026-11-21T22:59:45.000Z", orders_end)


class PlanWindow(unittest.TestCase):
    def test_same_batch_data_gives_the_same_window(self) -> None:
        previous = previous_plan("2026-11-21T23:01:00.000Z", "2026-11-21T23:00:45.000Z")
        first = plan_window(7, T0 + 5_000, T0 + 50_000, MINUTE, previous, GRACE)
        again = plan_window(7, T0 + 5_000, T0 + 50_000, MINUTE, previous, GRACE)
        self.assertEqual(first, again)
        self.assertEqual((first.window_start, first.window_end), ("2026-11-21T23:01:00.000Z", "2026-11-21T23:02:00.000Z"))

    def test_a_batch_in_the_same_slot_as_the_previous_one_gets_the_next_window(self) -> None:
        previous = previous_plan("2026-11-21T23:02:00.000Z", "2026-11-21T23:01:45.000Z")
        plan = plan_window(8, T0 + 55_000, T0 + 58_000, MINUTE, previous, GRACE)
        self.assertEqual((plan.window_start, plan.window_end), ("2026-11-21T23:02:00.000Z", "2026-11-21T23:03:00.000Z"))

    def test_orders_run_from_the_previous_orders_end_to_the_grace_before_the_window_end(self) -> None:
        previous = previous_plan("2026-11-21T23:01:00.000Z", "2026-11-21T23:00:45.000Z")
        plan = plan_window(7, T0 + 5_000, T0 + 50_000, MINUTE, previous, GRACE)
        self.assertEqual((plan.orders_start, plan.orders_end), ("2026-11-21T23:00:45.000Z", "2026-11-21T23:01:45.000Z"))

    def test_orders_ranges_follow_each_other_across_a_quiet_gap_between_windows(self) -> None:
        previous = previous_plan("2026-11-21T23:01:00.000Z", "2026-11-21T23:00:45.000Z")
        later = plan_window(7, T0 + 10 * MINUTE, T0 + 10 * MINUTE + 1, MINUTE, previous, GRACE)
        self.assertEqual(later.window_start, "2026-11-21T23:11:00.000Z")
        # The gap's orders are not skipped: they are this batch's.
        self.assertEqual((later.orders_start, later.orders_end), ("2026-11-21T23:00:45.000Z", "2026-11-21T23:11:45.000Z"))

    def test_a_first_batch_counts_orders_from_the_grace_before_its_window(self) -> None:
        plan = plan_window(0, T0, T0 + 1, MINUTE, None, GRACE)
        self.assertEqual((plan.orders_start, plan.orders_end), ("2026-11-21T23:00:45.000Z", "2026-11-21T23:01:45.000Z"))

    def test_a_backlog_batch_gets_one_wide_window(self) -> None:
        plan = plan_window(9, T0, T0 + 10 * MINUTE + 1, MINUTE, None)
        self.assertEqual((plan.window_start, plan.window_end), ("2026-11-21T23:01:00.000Z", "2026-11-21T23:12:00.000Z"))

    def test_plan_survives_its_json_round_trip(self) -> None:
        plan = plan_window(3, T0, T0, MINUTE)
        self.assertEqual(WindowPlan.from_json(plan.to_json()), plan)


class WindowSize(unittest.TestCase):
    def test_parses_foreach_batch_window_sizes(self) -> None:
        self.assertEqual(parse_window_size("60 seconds"), 60_000)
        self.assertEqual(parse_window_size("90s"), 90_000)
        self.assertEqual(parse_window_size("30"), 30_000)
        for bad in ("0 seconds", "1 minute", "", "-5"):
            with self.assertRaises(ValueError):
                parse_window_size(bad)


if __name__ == "__main__":
    unittest.main()
