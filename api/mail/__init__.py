"""Outgoing mail: the outbox table and the senders (log in embedded mode, SMTP in production)."""
