"""A stand-in for the ``awsglue`` package, which only Glue's runtime has (it drives Glue's own Scala
classes), for running the job's entry script on local Spark in the tests: the calls the script makes,
with the arguments and semantics aws-glue-libs (branch glue-4.0) and Glue's docs give them. What it
records of each call is in ``awsglue.calls``; run_glue_job.py prints it for the test.
"""

calls: list = []
