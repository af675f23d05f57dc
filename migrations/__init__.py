"""Piccolo migrations of the platform app; the same files run on SQLite and PostgreSQL."""
