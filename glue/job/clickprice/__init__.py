"""Pure helpers of the clickprice Glue job.

Nothing here imports pyspark, awsglue or boto3 at module level: the rules that must agree with the
TypeScript code (keys, buckets, validation, item shapes) are unit-tested with the standard library
alone, and the Spark entry point (``clickprice_aggregates.py``) only wires them to Glue.
"""
