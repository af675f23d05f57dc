"""The search port (DESIGN.md section 3): one SearchBackend interface (base.py), Japanese text
analysis shared by indexing and querying (analysis.py), and the embedded backend on SQLite FTS5
(embedded.py). It knows nothing about the domain; the Meilisearch backend, the indexing outbox
and the search pages come with the rest of the search issues.
"""
