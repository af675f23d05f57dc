"""Piccolo tables of the accounts domain."""

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

from api.members.tables import Organisation


class Account(Table, tablename="account"):
    """A person who can log in. Invited accounts have no password until they accept."""

    email = Varchar(length=254, unique=True, index=True)
    display_name = Varchar(length=100)
    password_hash = Varchar(length=255, null=True, default=None)
    is_active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)
    # The member organisation whose member user or member admin this is (None for the others).
    organisation = ForeignKey(references=Organisation, null=True, default=None, index=True)


class AccountRole(Table, tablename="account_role"):
    account = ForeignKey(references=Account, index=True)
    role = Varchar(length=32, index=True)


class UserSession(Table, tablename="user_session"):
    """A server-side session; the cookie holds a random token, the table only its hash."""

    token_hash = Varchar(length=64, unique=True, index=True)
    account = ForeignKey(references=Account, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(index=True)
    client_address = Varchar(length=64, default="")
    user_agent = Varchar(length=255, default="")


class OneTimeToken(Table, tablename="one_time_token"):
    """Single-use, expiring links: password reset and invitation."""

    token_hash = Varchar(length=64, unique=True, index=True)
    account = ForeignKey(references=Account, index=True)
    purpose = Varchar(length=32)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class ApiToken(Table, tablename="api_token"):
    """A scoped API token acting as its account; shown once, stored hashed."""

    name = Varchar(length=100)
    token_hash = Varchar(length=64, unique=True, index=True)
    prefix = Varchar(length=16)
    account = ForeignKey(references=Account, index=True)
    scopes = Text()  # space-separated; grows with every issue that adds scopes
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = ForeignKey(references=Account, null=True)
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class LoginAttempt(Table, tablename="login_attempt"):
    """Login failures per account key and per client address, for throttling."""

    key = Varchar(length=300, index=True, index_method=IndexMethod.btree)
    attempted_at = Timestamptz(default=TimestamptzNow(), index=True)
    succeeded = Boolean(default=False)
    detail = Text(default="")
