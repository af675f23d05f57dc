"""The one settings object, read from environment variables.

Embedded mode (the default) runs on SQLite, a local data directory and a log mail sender, and
creates demo content. Production mode refuses to start with a default secret or insecure cookies.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

DEFAULT_SECRET_KEY = "embedded-mode-secret-key-do-not-use-in-production"
# Database connections per process (DATABASE_POOL_SIZE): PostgreSQL's pool, SQLite's open ones.
DEFAULT_DATABASE_POOL_SIZE = 8

Mode = Literal["embedded", "production"]


class ConfigurationError(Exception):
    """The environment describes a configuration the app must not run with."""


# An origin as browsers send it: scheme, host and an optional port; no path, no wildcard.
ORIGIN_PATTERN = re.compile(r"^https?://[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?$")


def _origins(value: str) -> tuple[str, ...]:
    """CORS_ORIGINS: comma-separated origins; a trailing slash is forgiven."""
    parts = (part.strip().removesuffix("/") for part in value.split(","))
    return tuple(part for part in parts if part)


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class Argon2Parameters:
    """argon2id cost; stored hashes with other parameters are rehashed on the next login.

    The default is OWASP's recommended configuration (19 MiB, 2 passes, 1 lane): about 40 ms a
    hash here, so 50 members signing in at once are all through within about a second on two
    cores, and two hashes at a time (api.accounts.passwords) hold under 40 MiB. The earlier
    64 MiB x 3 cost 0.2-0.4 s each, and such a burst took many seconds.
    """

    time_cost: int = 2
    memory_kib: int = 19456
    parallelism: int = 1


@dataclass(frozen=True, slots=True)
class Settings:
    mode: Mode = "embedded"
    secret_key: str = DEFAULT_SECRET_KEY
    data_dir: Path = Path("data")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    base_url: str = ""
    smtp_url: str = ""
    storage_url: str = ""  # empty: files under DATA_DIR/objects; s3://... for MinIO
    search_url: str = ""  # empty: the embedded index under DATA_DIR/search.sqlite3
    search_api_key: str = ""  # Meilisearch's key, with SEARCH_URL
    mail_from: str = "熊本県DX推進コンソーシアム事務局 <noreply@kumamoto-dx.example.jp>"
    session_cookie_secure: bool = False
    behind_tls: bool = False
    session_idle_minutes: int = 120
    session_absolute_hours: int = 24 * 7
    password_reset_minutes: int = 60
    # Reset requests: a mailbox gets few reset mails, and one client cannot mail many addresses.
    password_reset_window_minutes: int = 60
    password_reset_max_mails: int = 3  # per e-mail address and window
    password_reset_max_requests: int = 10  # per client address and window
    invitation_days: int = 7
    login_max_failures: int = 5  # per account and window
    # Per client address. An office behind one NAT address shares it: raise it there.
    login_max_failures_per_client: int = 5
    login_window_minutes: int = 15
    run_worker_in_process: bool = True
    database_pool: bool = True  # PostgreSQL connection pool (tests run without)
    database_pool_size: int = DEFAULT_DATABASE_POOL_SIZE
    demo_content: bool = True
    # Approval of an application must come from someone other than who recorded the
    # anti-social-forces check (a second pair of eyes).
    screening_separate_approver: bool = True
    new_members_target: int = 50  # new member organisations wanted per fiscal year
    # Raw search log rows are deleted after this many days; the monthly figures stay.
    search_log_retention_days: int = 400
    # Raw page-view rows are deleted after this many months; the daily counts stay.
    page_view_retention_months: int = 13
    evidence_max_bytes: int = 10 * 1024 * 1024  # an evidence file of a screening check
    argon2: Argon2Parameters = field(default_factory=Argon2Parameters)
    log_level: str = "INFO"
    # Other sites allowed to read the JSON API from the browser (CORS); empty: none.
    cors_origins: tuple[str, ...] = ()

    @property
    def is_production(self) -> bool:
        return self.mode == "production"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'kumamoto-dx.sqlite3').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def public_base_url(self) -> str:
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")

    def validate(self) -> Settings:
        """Refuse settings that are unsafe for production; returns self for chaining."""
        if self.mode not in ("embedded", "production"):
            raise ConfigurationError(
                f"APP_MODE must be 'embedded' or 'production', not {self.mode!r}"
            )
        for origin in self.cors_origins:
            if not ORIGIN_PATTERN.match(origin):
                raise ConfigurationError(
                    f"CORS_ORIGINS must list exact origins such as https://www.pref.kumamoto.jp "
                    f"(scheme and host in lower case, no path, no '*'), not {origin!r}"
                )
        if not 1 <= self.database_pool_size <= 100:
            raise ConfigurationError("DATABASE_POOL_SIZE must be between 1 and 100")
        if self.search_log_retention_days < 31:
            # A month must be over (and rolled up for good) before its rows can go.
            raise ConfigurationError("SEARCH_LOG_RETENTION_DAYS must be at least 31")
        if self.page_view_retention_months < 1:
            raise ConfigurationError("PAGE_VIEW_RETENTION_MONTHS must be at least 1")
        if self.search_url and not self.search_url.startswith(("http://", "https://")):
            raise ConfigurationError(
                "SEARCH_URL must be Meilisearch's http(s):// address, or empty for the "
                "embedded search"
            )
        if self.is_production:
            if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 32:
                raise ConfigurationError(
                    "production mode needs SECRET_KEY set to a random value of 32+ characters"
                )
            if not self.session_cookie_secure:
                raise ConfigurationError("production mode needs SESSION_COOKIE_SECURE=true (HTTPS)")
            if self.demo_content:
                raise ConfigurationError("production mode never loads demo content (DEMO_CONTENT)")
            if self.search_url and not self.search_api_key:
                raise ConfigurationError(
                    "production mode needs SEARCH_API_KEY with SEARCH_URL (Meilisearch's key)"
                )
        return self

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        mode = env.get("APP_MODE", "embedded")
        production = mode == "production"
        base = cls()
        argon2 = Argon2Parameters(
            time_cost=int(env.get("ARGON2_TIME_COST", base.argon2.time_cost)),
            memory_kib=int(env.get("ARGON2_MEMORY_KIB", base.argon2.memory_kib)),
            parallelism=int(env.get("ARGON2_PARALLELISM", base.argon2.parallelism)),
        )
        return replace(
            base,
            mode=mode,  # type: ignore[arg-type]
            secret_key=env.get("SECRET_KEY", base.secret_key),
            data_dir=Path(env.get("DATA_DIR", str(base.data_dir))),
            database_url=env.get("DATABASE_URL", ""),
            database_pool_size=int(env.get("DATABASE_POOL_SIZE", base.database_pool_size)),
            host=env.get("HOST", base.host),
            port=int(env.get("PORT", base.port)),
            base_url=env.get("BASE_URL", ""),
            smtp_url=env.get("SMTP_URL", ""),
            storage_url=env.get("STORAGE_URL", ""),
            search_url=env.get("SEARCH_URL", ""),
            search_api_key=env.get("SEARCH_API_KEY", ""),
            mail_from=env.get("MAIL_FROM", base.mail_from),
            session_cookie_secure=_bool(env.get("SESSION_COOKIE_SECURE", str(production))),
            behind_tls=_bool(env.get("BEHIND_TLS", str(production))),
            run_worker_in_process=_bool(env.get("RUN_WORKER_IN_PROCESS", str(not production))),
            demo_content=_bool(env.get("DEMO_CONTENT", str(not production))),
            screening_separate_approver=_bool(
                env.get("SCREENING_SEPARATE_APPROVER", str(base.screening_separate_approver))
            ),
            login_max_failures_per_client=int(
                env.get("LOGIN_MAX_FAILURES_PER_CLIENT", base.login_max_failures_per_client)
            ),
            new_members_target=int(env.get("NEW_MEMBERS_TARGET", base.new_members_target)),
            search_log_retention_days=int(
                env.get("SEARCH_LOG_RETENTION_DAYS", base.search_log_retention_days)
            ),
            page_view_retention_months=int(
                env.get("PAGE_VIEW_RETENTION_MONTHS", base.page_view_retention_months)
            ),
            argon2=argon2,
            log_level=env.get("LOG_LEVEL", base.log_level),
            cors_origins=_origins(env.get("CORS_ORIGINS", "")),
        )
