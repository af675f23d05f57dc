"""Liveness and readiness probes for the proxy and for operations."""
