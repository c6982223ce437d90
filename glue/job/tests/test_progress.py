"""The rich path's progress item: the same item as the TypeScript engines write, never moved back.

vectors/rich-path-progress.json is the contract between the two languages: a TypeScript test builds
its items from the same inputs and must get the same items.
"""

import json
import unittest
from pathlib import Path

import boto3
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from clickprice.batch import BatchResult
from clickprice.progress import progress_item, record_progress

VECTORS = json.loads((Path(__file__).parent / "vectors" / "rich-path-progress.json").read_text(encoding="utf-8"))
TABLE = "clickprice-pricing-config"


def batch_result(given: dict) -> BatchResult:
    return BatchResult(batch_id=given["batchId"], window_start=given["windowStart"], window_end=given["windowEnd"],
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


class StubbedDynamo:
    """A Dynamo whose resource answers from a Stubber."""

    def __init__(self) -> None:
        session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
        self._resource = session.resource("dynamodb")
        self.stubber = Stubber(self._resource.meta.client)

    def resource(self):
        return self._resource


class RecordProgress(unittest.TestCase):
    """Stubbed, not DynamoDB Local: no Python test here reaches DynamoDB Local (only the TypeScript
    tests start it), so these assert the exact PutItem request, whose condition DynamoDB itself
    evaluates, and how each of its answers is taken."""

    ITEM = VECTORS[0]["item"]

    def expected_put(self) -> dict:
        """As the Stubber sees it: before boto3's resource types the values (ints become N, strings S)."""
        return {"TableName": TABLE, "Item": self.ITEM,
                "ConditionExpression": "attribute_not_exists(configKey) OR windowEnd <= :windowEnd",
                "ExpressionAttributeValues": {":windowEnd": self.ITEM["windowEnd"]}}

    def test_puts_the_item_on_condition_that_no_later_window_is_stored(self) -> None:
        dynamo = StubbedDynamo()
        dynamo.stubber.add_response("put_item", {}, self.expected_put())
        with dynamo.stubber:
            self.assertTrue(record_progress(dynamo, TABLE, self.ITEM))
        dynamo.stubber.assert_no_pending_responses()

    def test_a_refused_condition_is_not_an_error(self) -> None:
        dynamo = StubbedDynamo()
        dynamo.stubber.add_client_error("put_item", service_error_code="ConditionalCheckFailedException",
                                        http_status_code=400, expected_params=self.expected_put())
        with dynamo.stubber:
            self.assertFalse(record_progress(dynamo, TABLE, self.ITEM))

    def test_any_other_error_propagates(self) -> None:
        dynamo = StubbedDynamo()
        dynamo.stubber.add_client_error("put_item", service_error_code="ResourceNotFoundException",
                                        http_status_code=400)
        with dynamo.stubber, self.assertRaises(ClientError) as raised:
            record_progress(dynamo, TABLE, self.ITEM)
        self.assertEqual(raised.exception.response["Error"]["Code"], "ResourceNotFoundException")


if __name__ == "__main__":
    unittest.main()
