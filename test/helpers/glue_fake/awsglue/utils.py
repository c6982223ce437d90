"""``getResolvedOptions`` as aws-glue-libs defines it: each asked-for name is a required ``--name``
argument, others are left alone (Glue passes its own), and Glue's reserved names may not be asked for."""

from __future__ import annotations

import argparse

# Names Glue sets itself; asking for one is an error in getResolvedOptions.
RESERVED = {"JOB_ID", "JOB_RUN_ID", "SECURITY_CONFIGURATION", "encryption-type", "enable-data-lineage",
            "continuation-option", "job-bookmark-option", "job-bookmark-from", "job-bookmark-to"}


def getResolvedOptions(args, options):  # noqa: N802 - Glue's name
    reserved = RESERVED.intersection(options)
    if reserved:
        raise RuntimeError(f"Using reserved arguments {sorted(reserved)}")
    parser = argparse.ArgumentParser(allow_abbrev=False)
    for option in options:
        parser.add_argument(f"--{option}", required=True)
    parsed, _extra = parser.parse_known_args(args[1:])
    return vars(parsed)
