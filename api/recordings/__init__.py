"""Recordings: the members-only archive of event recordings on object storage."""
