"""The Glue job's batch logic on a local Spark: a source of Glue's shape and a one-batch runner (not shipped to Glue)."""
