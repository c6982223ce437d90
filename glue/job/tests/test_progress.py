"""The rich path's progress item: the same item as the TypeScript engines write.

vectors/rich-path-progress.json is the contract between the two languages: a TypeScript test builds
its items from the same inputs and must get the same items. record_progress's condition (never moved
back) is run against DynamoDB Local by test/integration/store/rich-path-progress-store.test.ts.
"""

import json
import unittest
from pathlib import Path
from types import SimpleNamespace

from clickprice.progress import progress_item

VECTORS = json.loads((Path(__file__).parent / "vectors" / "rich-path-progress.json").read_text(encoding="utf-8"))


def batch_result(given: dict) -> SimpleNamespace:
    """A BatchResult's fields (batch.py imports pyspark, which these stdlib tests do without)."""
    return SimpleNamespace(batch_id=given["batchId"], window_start=given["windowStart"], window_end=given["windowEnd"],
                           records=given["records"], events=given["events"], rejected=given["rejected"],
                           orders=given["orders"], rows=given["rows"], newest_arrival_ms=given["newestArrivalMs"])


class ProgressItem(unittest.TestCase):
    def test_every_vector_gives_its_item(self) -> None:
        self.assertGreaterEqual(len(VECTORS), 3)
        for case in VECTORS:
            with self.subTest(batchId=case["input"]["batchId"]):
                self.assertEqual(progress_item(batch_result(case["input"]), case["input"]["committedAtMs"]),
                                 case["item"])

    def test_the_vectors_cover_a_millisecond_arrival_a_minute_boundary_and_zero_rows(self) -> None:
        arrivals = [case["input"]["newestArrivalMs"] for case in VECTORS]
        self.assertTrue(any(ms % 1000 for ms in arrivals))
        self.assertTrue(any(ms % 60_000 == 0 for ms in arrivals))
        self.assertTrue(any(case["input"]["rows"] == 0 for case in VECTORS))

    def test_numbers_are_integers_and_the_engine_is_named(self) -> None:
        item = progress_item(batch_result(VECTORS[0]["input"]), VECTORS[0]["input"]["committedAtMs"], engine="spark")
        self.assertEqual(item["engine"], "spark")
        for name in ("batchId", "records", "rejected", "rows"):
            self.assertIs(type(item[name]), int, name)


if __name__ == "__main__":
    unittest.main()
