"""Events: the consortium's own events and seminars, registration, waiting lists and check-in."""
