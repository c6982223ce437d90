"""Item conversion: what a re-run batch writes must be identical, and storable by boto3."""

import base64
import unittest
from datetime import datetime, timezone
from decimal import Decimal

from clickprice.items import aggregate_item, in_window, order_row, to_dynamo_value

DAYS = 30

ROW = {
    "productId": "p-1",
    "windowStart": "2026-11-21T23:01:00.000Z",
    "windowEnd": "2026-11-21T23:02:00.000Z",
    "views": 10,
    "carts": 3,
    "viewToCart": 0.3,
    "revenue": 12_345,
    "category": "toys",
}


class AggregateItem(unittest.TestCase):
    def test_numbers_become_decimals_without_float_noise(self) -> None:
        item = aggregate_item(ROW, DAYS)
        self.assertEqual(item["views"], Decimal(10))
        self.assertEqual(item["viewToCart"], Decimal("0.3"))
        self.assertTrue(all(not isinstance(value, float) for value in item.values()))

    def test_expires_the_retention_days_after_window_start_in_epoch_seconds(self) -> None:
        # 2026-11-21T23:01:00Z = 1795302060 s; + 7 days.
        self.assertEqual(aggregate_item(ROW, 7)["expiresAt"], Decimal(1_795_302_060 + 7 * 86_400))

    def test_same_row_gives_the_same_item(self) -> None:
        self.assertEqual(aggregate_item(dict(ROW), DAYS), aggregate_item(dict(ROW), DAYS))

    def test_refuses_rows_without_key_or_with_a_non_canonical_window_start(self) -> None:
        with self.assertRaises(ValueError):
            aggregate_item({**ROW, "productId": None}, DAYS)
        with self.assertRaises(ValueError):
            aggregate_item({**ROW, "windowStart": "2026-11-21T23:01:00Z"}, DAYS)
        with self.assertRaises(ValueError):
            aggregate_item({**ROW, "viewToCart": float("nan")}, DAYS)

    def test_datetimes_become_canonical_strings(self) -> None:
        moment = datetime(2026, 11, 21, 23, 1, 10, 123_999, tzinfo=timezone.utc)
        self.assertEqual(to_dynamo_value(moment), "2026-11-21T23:01:10.123Z")


class Orders(unittest.TestCase):
    def test_order_row_turns_decimals_into_ints(self) -> None:
        row = order_row({"orderId": "o-1", "productId": "p-1", "quantity": Decimal(2), "unitPrice": Decimal(999),
                         "orderedAt": "2026-11-21T23:01:10.123Z"})
        self.assertEqual((row["quantity"], row["unitPrice"]), (2, 999))

    def test_window_is_half_open(self) -> None:
        start, end = "2026-11-21T23:01:00.000Z", "2026-11-21T23:02:00.000Z"
        self.assertTrue(in_window(start, start, end))
        self.assertFalse(in_window(end, start, end))


if __name__ == "__main__":
    unittest.main()
