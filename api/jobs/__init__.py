"""Background jobs: a table written in the caller's transaction and a worker that runs it."""
