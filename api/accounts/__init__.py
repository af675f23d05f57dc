"""Accounts: users, roles, sessions, one-time tokens (reset, invitation) and API tokens."""
