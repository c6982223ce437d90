import unittest

from clickprice.job_args import REQUIRED, retention_days


class RetentionDays(unittest.TestCase):
    def test_reads_whole_days(self) -> None:
        self.assertEqual(retention_days({"aggregates_retention_days": "30"}, "aggregates_retention_days"), 30)

    def test_refuses_anything_else_naming_the_argument(self) -> None:
        for text in ("", "0", "-1", "7.5", "seven", " 7"):
            with self.subTest(text=text), self.assertRaisesRegex(ValueError, "--aggregates_retention_days"):
                retention_days({"aggregates_retention_days": text}, "aggregates_retention_days")

    def test_the_retention_is_a_required_argument(self) -> None:
        self.assertIn("aggregates_retention_days", REQUIRED)

    def test_the_progress_table_is_a_required_argument(self) -> None:
        self.assertIn("pricing_config_table", REQUIRED)


if __name__ == "__main__":
    unittest.main()
