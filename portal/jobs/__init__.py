"""The job runner: scheduled work kept in PostgreSQL (docs/jobs.md).

Core-like: it knows no domain. Services register their tasks (`runner.task`) in modules listed in
`api.TASK_MODULES`; the runner claims due rows of `jobs` with FOR UPDATE SKIP LOCKED and runs each
inside the claiming transaction, so a runner killed mid-job sends nothing twice (its effects roll
back with the claim). One runner at a time holds a PostgreSQL advisory lock on its own connection;
the other processes try to take it again every few seconds, so a crash hands the work over.
"""
