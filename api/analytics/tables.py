"""Piccolo tables of the page-view log: the raw views, their daily counts and the roll-up state.

A raw row says what was seen and, in broad terms, by what kind of visit; never an address, an
account, a session or a full user agent. The daily rows are what every report reads, so they
stay when the raw rows are pruned.
"""

from piccolo.columns import Boolean, Date, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class PageView(Table, tablename="page_view"):
    """One page seen by a person (bots are not logged)."""

    viewed_at = Timestamptz(default=TimestamptzNow(), index=True)
    area = Varchar(length=16)  # public or platform
    path = Varchar(length=200)  # without the query
    content_kind = Varchar(length=20)  # case_study, news, solution ... ('' for other pages)
    content_key = Varchar(length=200)  # the slug or id within its kind
    referrer_host = Varchar(length=100)  # another site the visitor came from ('' for none)
    device = Varchar(length=10)  # desktop, mobile or tablet
    audience = Varchar(length=16)  # public (not signed in), member or staff


class PageViewDaily(Table, tablename="page_view_daily"):
    """The views of one page on one day (Japan time) by one audience on one device class."""

    day = Date(index=True)
    area = Varchar(length=16)
    path = Varchar(length=200)
    content_kind = Varchar(length=20)
    content_key = Varchar(length=200)
    audience = Varchar(length=16)
    device = Varchar(length=10)
    views = Integer(default=0)


class ReferrerDaily(Table, tablename="page_referrer_daily"):
    """The views that came from another site, per day and host."""

    day = Date(index=True)
    referrer_host = Varchar(length=100)
    views = Integer(default=0)


class PageViewRollup(Table, tablename="page_view_rollup"):
    """When a day was last counted; final once that was after the day ended."""

    day = Date(unique=True)
    rolled_up_at = Timestamptz(default=TimestamptzNow())
    final = Boolean(default=False)


class AccountActivity(Table, tablename="account_activity"):
    """A member account that used the platform in a month (noted hourly from its sessions),
    for the count of active users and organisations; nothing about what it did."""

    month = Date(index=True)  # the first day of the month (Japan time)
    account_id = Integer()
    organisation_id = Integer(null=True, default=None)
