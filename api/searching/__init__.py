"""The search of the site: which documents the indexes hold (built from the database), the
outbox that carries every change to them, rebuilding and checking them, and the searches that
members and visitors run. The backends themselves live in the search/ port."""
