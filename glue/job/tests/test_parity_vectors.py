"""Python and TypeScript agree on every rule both implement.

The vectors in vectors/ts-vectors.json were computed once by the TypeScript code itself
(``node --import tsx glue/job/tests/vectors/generate.ts > glue/job/tests/vectors/ts-vectors.json``,
which calls parseClickEvent, orderTimeBucket, orderTimeBucketsBetween and expiryAfterDays, and reads the
tables' key names from definitions/resources.ts); regenerate them whenever those change.
"""

import base64
import json
import unittest
from pathlib import Path

from clickprice import keys
from clickprice.keys import expiry_after_days, order_time_bucket, order_time_buckets_between
from clickprice.source import CLICK_COLUMNS
from clickprice.validation import parse_click_event

VECTORS = json.loads((Path(__file__).parent / "vectors" / "ts-vectors.json").read_text(encoding="utf-8"))


class ParseClickEventParity(unittest.TestCase):
    def test_every_vector_gets_the_typescript_verdict_field_value_and_reason(self) -> None:
        self.assertGreater(len(VECTORS["parse"]), 90)
        for case in VECTORS["parse"]:
            with self.subTest(case["name"]):
                expected = case["result"]
                actual = parse_click_event(base64.b64decode(case["rawBase64"]))
                if "thrown" in expected:
                    # An older parseClickEvent threw a RangeError here; Python always quarantines.
                    self.assertFalse(actual.ok)
                    self.assertIn("eventTime: Invalid ISO datetime", actual.reason)
                    continue
                self.assertEqual(actual.ok, expected["ok"])
                if expected["ok"]:
                    self.assertEqual(actual.value, expected["value"])
                    continue
                self.assertEqual(actual.field, expected["field"])
                if expected["reason"].startswith("record is not JSON: "):
                    # The parser's own message differs between V8 and Python; the prefix is the contract.
                    self.assertTrue(actual.reason.startswith("record is not JSON: "), actual.reason)
                else:
                    self.assertEqual(actual.reason, expected["reason"])

    def test_vectors_cover_valid_and_invalid_records(self) -> None:
        verdicts = {case["result"].get("ok") for case in VECTORS["parse"]}
        self.assertLessEqual({True, False}, verdicts)


class OrderBucketParity(unittest.TestCase):
    def test_order_time_bucket_matches_typescript_sha1_shards(self) -> None:
        shards = set()
        for case in VECTORS["buckets"]:
            with self.subTest(case["orderId"]):
                self.assertEqual(order_time_bucket(case["orderId"], case["orderedAt"]), case["bucket"])
                shards.add(case["bucket"][-1])
        self.assertGreater(len(shards), 1, "vectors should exercise several shards")

    def test_order_time_buckets_between_matches_typescript(self) -> None:
        for case in VECTORS["bucketRanges"]:
            with self.subTest(f"{case['start']}..{case['end']}"):
                self.assertEqual(order_time_buckets_between(case["start"], case["end"]), case["buckets"])

    def test_expiry_after_days_matches_typescript(self) -> None:
        for case in VECTORS["expiries"]:
            self.assertEqual(expiry_after_days(case["iso"], case["days"]), case["expiresAt"])


class TableKeyParity(unittest.TestCase):
    def test_the_key_names_the_job_uses_are_those_of_the_table_definitions(self) -> None:
        expected = VECTORS["tableKeys"]
        used = {
            "aggregates": {"partitionKey": keys.AGGREGATE_PARTITION_KEY, "sortKey": keys.AGGREGATE_SORT_KEY,
                           "ttlAttribute": keys.AGGREGATE_TTL_ATTRIBUTE},
            "ordersByTime": {"indexName": keys.ORDERS_TIME_INDEX, "partitionKey": keys.ORDERS_TIME_INDEX_PARTITION_KEY,
                             "sortKey": keys.ORDERS_TIME_INDEX_SORT_KEY},
        }
        self.assertEqual(used, expected)


class SourceColumnParity(unittest.TestCase):
    def test_the_local_engine_reads_records_into_the_columns_the_job_asks_glue_for(self) -> None:
        self.assertEqual([list(column) for column in CLICK_COLUMNS], VECTORS["glueSourceColumns"])


if __name__ == "__main__":
    unittest.main()
