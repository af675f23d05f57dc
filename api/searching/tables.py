"""Piccolo tables of the search: the outbox of index updates, the synonym groups, the log of
searches and of the results opened from them, and the log's monthly roll-up."""

from piccolo.columns import Boolean, Date, Integer, Text, Timestamptz, Varchar
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


class SearchLog(Table, tablename="search_log"):
    """One search run (for the search analytics): what was asked, how much it found and who in
    broad terms asked; never a name, an account or an address."""

    index = Varchar(length=40, index=True)
    query = Varchar(length=200, index=True)  # normalised (NFKC, lower case, single spaces)
    filters = Text(default="{}")  # JSON: field -> values
    result_count = Integer(default=0)
    page = Integer(default=1)
    audience = Varchar(length=16, index=True)  # public, member or staff
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class SearchClick(Table, tablename="search_click"):
    """A result opened from a search page, with its position in the results (1 is the first)."""

    index = Varchar(length=40, index=True)
    query = Varchar(length=200, index=True)
    document_id = Varchar(length=64)
    position = Integer()
    audience = Varchar(length=16)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class SearchMonthlyQuery(Table, tablename="search_monthly_query"):
    """One month's searches (Japan time) of one query in one index by one audience: what the
    search analytics read, kept after the raw log rows are pruned."""

    month = Date(index=True)  # the first day of the month
    index = Varchar(length=40)
    audience = Varchar(length=16)
    query = Varchar(length=200)
    searches = Integer(default=0)  # first pages asked
    zero_results = Integer(default=0)  # of them, those that found nothing
    clicks = Integer(default=0)
    click_positions = Integer(default=0)  # the sum of the clicked results' positions


class SearchRollup(Table, tablename="search_rollup"):
    """When a month was last rolled up; final once that was after the month ended."""

    month = Date(unique=True)
    rolled_up_at = Timestamptz(default=TimestamptzNow())
    final = Boolean(default=False)
