"""``Job``: init with the job's name and arguments, commit at the end (bookmarks, off for this job)."""

from __future__ import annotations

from . import calls


class Job:
    def __init__(self, glue_context) -> None:
        self._glue_context = glue_context
        self._initialized = False

    def init(self, job_name, args=None) -> None:
        if not job_name:
            raise ValueError("Job.init needs the job's name")
        self._initialized = True
        calls.append({"call": "Job.init", "jobName": job_name})

    def commit(self) -> None:
        if not self._initialized:
            raise RuntimeError("Job.commit before Job.init")
        calls.append({"call": "Job.commit"})
