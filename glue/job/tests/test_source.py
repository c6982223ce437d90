import unittest

from clickprice.source import CLICK_COLUMNS, SOURCE_TIMESTAMP_COLUMN, event_of, kinesis_source_options, source_schema_ddl

ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks"


class KinesisSourceOptions(unittest.TestCase):
    def test_carries_what_a_kinesis_read_requires_and_the_schema_inferSchema_false_needs(self) -> None:
        options = kinesis_source_options(ARN)
        for name in ("streamARN", "startingPosition", "inferSchema", "classification", "schema"):
            with self.subTest(option=name):
                self.assertIn(name, options)
        self.assertEqual((options["classification"], options["inferSchema"]), ("json", "false"))
        self.assertEqual(options["schema"], source_schema_ddl())
        self.assertEqual(options["addRecordTimestamp"], "true")
        self.assertEqual(options["emitConsumerLagMetrics"], "true")

    def test_every_option_is_a_string_as_glue_reads_them(self) -> None:
        self.assertTrue(all(isinstance(value, str) for value in kinesis_source_options(ARN).values()))

    def test_reads_through_the_fan_out_consumer_when_given_one(self) -> None:
        consumer = ARN + "/consumer/clickprice:1"
        self.assertEqual(kinesis_source_options(ARN, consumer)["fanoutConsumerARN"], consumer)
        self.assertNotIn("fanoutConsumerARN", kinesis_source_options(ARN))
        with self.assertRaisesRegex(ValueError, "--fanout_consumer_arn"):
            kinesis_source_options(ARN, "clickprice")

    def test_refuses_a_stream_name_in_place_of_its_arn(self) -> None:
        with self.assertRaisesRegex(ValueError, "--stream_arn"):
            kinesis_source_options("clicks")


class SchemaDdl(unittest.TestCase):
    def test_lists_every_click_column_quoted_with_its_type(self) -> None:
        ddl = source_schema_ddl()
        self.assertTrue(ddl.startswith("`eventId` STRING, `sessionId` STRING"))
        self.assertIn("`quantity` BIGINT", ddl)
        self.assertEqual(ddl.count("`") // 2, len(CLICK_COLUMNS))


class EventOf(unittest.TestCase):
    def test_keeps_the_click_fields_that_are_not_null_and_nothing_else(self) -> None:
        row = {name: None for name, _ in CLICK_COLUMNS}
        row.update({"eventId": "e-1", "quantity": 2, SOURCE_TIMESTAMP_COLUMN: 1_795_302_060_000})
        self.assertEqual(event_of(row), {"eventId": "e-1", "quantity": 2})


if __name__ == "__main__":
    unittest.main()
