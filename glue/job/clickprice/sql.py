"""Loading the one SQL definition of the window aggregation, and refusing what Spark cannot run.

The same file runs in DuckDB locally and in Spark SQL on Glue (Spark 3.3 on Glue 4.0, 3.5 on 5.0), so
a DuckDB-only construct would pass every local test and fail only in AWS. ``check_spark_sql`` catches
the ones we know about before the job starts, with the line to fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

#: The repository's SQL, which the local Spark worker and the tests read (on Glue --sql_path names the
#: uploaded copy: this path is not in the package Glue is given).
DEFAULT_SQL_PATH = Path(__file__).resolve().parents[2] / "aggregate-window.sql"

#: (pattern over SQL with comments and string literals blanked, why Spark refuses it).
UNSUPPORTED: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"::"), "'::' casts are DuckDB/PostgreSQL syntax (Spark 3.3/3.5): use CAST(x AS type)"),
    (re.compile(r"\bQUALIFY\b", re.I), "QUALIFY is not Spark SQL before 4.0: filter a subquery instead"),
    (re.compile(r"\*\s*(EXCLUDE|REPLACE)\s*\(", re.I), "SELECT * EXCLUDE/REPLACE is DuckDB-only"),
    (re.compile(r"\bCOLUMNS\s*\(", re.I), "COLUMNS(...) is DuckDB-only"),
    (re.compile(r"\bUSING\s+SAMPLE\b", re.I), "USING SAMPLE is DuckDB-only: use TABLESAMPLE"),
    (re.compile(r"\b(strftime|strptime|epoch_ms|list_\w+|struct_pack|string_agg)\s*\(", re.I),
     "DuckDB-only function: use the Spark equivalent (date_format, to_timestamp, unix_millis, ...)"),
    (re.compile(r"\$[0-9]+|\?"), "positional parameters are not supported: use the window views"),
    (re.compile(r"\bCREATE\b|\bINSERT\b|\bCOPY\b|\bATTACH\b|\bPRAGMA\b", re.I),
     "the file must be one SELECT (or WITH ... SELECT) the job can run with spark.sql"),
)

_BLANKABLE = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"", re.S)


def _blank(sql: str) -> str:
    """Comments and quoted text replaced by spaces (newlines kept), so line numbers still hold."""
    return _BLANKABLE.sub(lambda match: re.sub(r"[^\n]", " ", match.group(0)), sql)


def check_spark_sql(sql: str) -> list[str]:
    """Problems Spark would have with ``sql``, as ``line N: why``; empty when it looks runnable."""
    problems: list[str] = []
    code = _blank(sql)
    body = code.strip().rstrip(";").strip()
    if ";" in body:
        problems.append("more than one statement: spark.sql runs exactly one")
    if not re.match(r"(WITH|SELECT)\b", body, re.I):
        problems.append("the file must be a single SELECT or WITH ... SELECT")
    for number, line in enumerate(code.splitlines(), start=1):
        for pattern, why in UNSUPPORTED:
            if pattern.search(line):
                problems.append(f"line {number}: {why}")
    return problems


def prepare_sql(sql: str, parameters: Mapping[str, str] | None = None) -> str:
    """The statement to hand to ``spark.sql``: checked, without its trailing semicolon, and with
    ``{{name}}`` placeholders (if the file uses any) replaced by quoted literals."""
    problems = check_spark_sql(sql)
    if problems:
        raise ValueError("SQL cannot run on Spark:\n  " + "\n  ".join(problems))
    statement = sql.strip().rstrip(";").rstrip()
    for name, value in (parameters or {}).items():
        statement = statement.replace("{{" + name + "}}", "'" + str(value).replace("'", "''") + "'")
    leftover = re.search(r"\{\{\s*(\w+)\s*\}\}", statement)
    if leftover:
        raise ValueError(f"SQL placeholder {{{{{leftover.group(1)}}}}} has no value")
    return statement


def load_sql(path: str | Path = DEFAULT_SQL_PATH) -> str:
    """The SQL text of a local file (the bundled copy); S3 paths are fetched by the job itself."""
    return Path(path).read_text(encoding="utf-8")
