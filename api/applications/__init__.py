"""Membership applications and their screening."""
