"""Access rules for portal/ops: health for everyone (load balancers sign in as no one); /metrics answers
only addresses in PORTAL_METRICS_ALLOW, which by default holds 127.0.0.1, the test client's address
(tests/ops/test_ops_http.py checks the refusal from elsewhere)."""

from policies import public

POLICY = {
    ("GET", "/health/live"): public(),
    ("GET", "/health/ready"): public(),
    ("GET", "/metrics"): public(),
}
