"""Time and key helpers: the canonical timestamp form the tables sort by."""

import unittest

from clickprice.keys import aggregate_key, floor_to_window, minute_of, to_epoch_ms, to_iso


class CanonicalTime(unittest.TestCase):
    def test_round_trips_milliseconds_exactly(self) -> None:
        for epoch_ms in (0, 1, 999, 1_795_302_070_123, 253_402_300_799_999):
            self.assertEqual(to_epoch_ms(to_iso(epoch_ms)), epoch_ms)

    def test_writes_what_date_to_iso_string_writes(self) -> None:
        self.assertEqual(to_iso(1_795_302_070_123), "2026-11-21T23:01:10.123Z")
        self.assertEqual(to_iso(0), "1970-01-01T00:00:00.000Z")

    def test_minute_of_and_window_floor(self) -> None:
        self.assertEqual(minute_of("2026-11-21T23:01:10.123Z"), "2026-11-21T23:01:00.000Z")
        self.assertEqual(floor_to_window(125_000, 60_000), 120_000)
        with self.assertRaises(ValueError):
            floor_to_window(1, 0)

    def test_aggregate_key_is_product_and_window_start(self) -> None:
        self.assertEqual(
            aggregate_key("p-1", "2026-11-21T23:01:00.000Z"),
            {"productId": "p-1", "windowStart": "2026-11-21T23:01:00.000Z"},
        )


if __name__ == "__main__":
    unittest.main()
