"""Member organisations: their profiles, contacts, status and accounts."""
