"""Piccolo tables of the search: the outbox of index updates and the synonym groups."""

from piccolo.columns import Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class SearchOutbox(Table, tablename="search_outbox"):
    """A document whose index entry must be rebuilt, written in the same transaction as the
    change to it; the worker applies the rows and removes them once the backend has them."""

    index = Varchar(length=40)
    document_id = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())


class SearchSynonym(Table, tablename="search_synonym"):
    """One group of words that mean the same (DX, デジタルトランスフォーメーション), applied to
    queries: changing them needs no reindex."""

    words = Text()  # one per line
    created_at = Timestamptz(default=TimestamptzNow())
