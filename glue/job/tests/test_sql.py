"""The shared SQL must be runnable by spark.sql, not only by DuckDB."""

import unittest

from clickprice.sql import DEFAULT_SQL_PATH, check_spark_sql, load_sql, prepare_sql


class SparkSqlCheck(unittest.TestCase):
    def test_the_shared_aggregation_sql_passes(self) -> None:
        self.assertTrue(DEFAULT_SQL_PATH.exists(), f"{DEFAULT_SQL_PATH} is where the job looks")
        self.assertEqual(check_spark_sql(load_sql()), [])

    def test_flags_duckdb_only_constructs_with_their_line(self) -> None:
        problems = check_spark_sql("SELECT a::BIGINT\nFROM t\nQUALIFY ROW_NUMBER() OVER () = 1")
        self.assertTrue(any(problem.startswith("line 1:") for problem in problems))
        self.assertTrue(any(problem.startswith("line 3:") for problem in problems))
        self.assertTrue(check_spark_sql("SELECT strftime(ts, '%Y') FROM t"))
        self.assertTrue(check_spark_sql("SELECT 1; SELECT 2"))
        self.assertTrue(check_spark_sql("CREATE TABLE t AS SELECT 1"))

    def test_ignores_comments_and_string_literals(self) -> None:
        self.assertEqual(check_spark_sql("-- x::int QUALIFY ?\nSELECT 'a::b ?' AS s /* $1 */ FROM t"), [])

    def test_prepare_drops_the_trailing_semicolon_and_fills_placeholders(self) -> None:
        self.assertEqual(prepare_sql("SELECT {{a}} AS a;\n", {"a": "it's"}), "SELECT 'it''s' AS a")
        with self.assertRaises(ValueError):
            prepare_sql("SELECT {{missing}} AS a")
        with self.assertRaises(ValueError):
            prepare_sql("SELECT x::int FROM t")


if __name__ == "__main__":
    unittest.main()
