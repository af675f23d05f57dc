"""The search port (DESIGN.md section 3): one SearchBackend interface with an embedded SQLite FTS5
backend and a Meilisearch backend. It knows nothing about the domain. Built by the search issue;
nothing is indexed yet.
"""
