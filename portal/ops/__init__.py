"""Operations: health checks, Prometheus metrics, request logs, backups and restores (docs/runbook.md).

portal/ops is core: it knows no domain. What a later service must plug in (the job runner's heartbeat
and backlog) it registers here through `hooks`.
"""
