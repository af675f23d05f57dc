import asyncio
from pathlib import Path

import pytest

from api.settings import DEFAULT_SECRET_KEY, ConfigurationError, Settings

PRODUCTION = {
    "APP_MODE": "production",
    "SECRET_KEY": "x" * 48,
    "DATABASE_URL": "postgresql://app@db/app",
}


def test_embedded_defaults_are_safe_to_run() -> None:
    settings = Settings.from_env({}).validate()
    assert settings.mode == "embedded"
    assert settings.is_sqlite
    assert settings.demo_content
    assert settings.port == 8000
    assert settings.run_worker_in_process


def test_port_comes_from_environment() -> None:
    assert Settings.from_env({"PORT": "8123"}).port == 8123


def test_production_defaults_are_strict() -> None:
    settings = Settings.from_env(PRODUCTION).validate()
    assert settings.session_cookie_secure
    assert settings.behind_tls
    assert not settings.demo_content
    assert not settings.run_worker_in_process


@pytest.mark.parametrize("secret", [DEFAULT_SECRET_KEY, "", "short"])
def test_production_refuses_default_or_weak_secret(secret: str) -> None:
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        Settings.from_env({**PRODUCTION, "SECRET_KEY": secret}).validate()


def test_production_refuses_insecure_cookies() -> None:
    with pytest.raises(ConfigurationError, match="SESSION_COOKIE_SECURE"):
        Settings.from_env({**PRODUCTION, "SESSION_COOKIE_SECURE": "false"}).validate()


def test_production_refuses_demo_content() -> None:
    with pytest.raises(ConfigurationError, match="DEMO_CONTENT"):
        Settings.from_env({**PRODUCTION, "DEMO_CONTENT": "true"}).validate()


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        Settings.from_env({"APP_MODE": "staging"}).validate()


def test_member_and_login_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "LOGIN_MAX_FAILURES_PER_CLIENT": "40",
            "NEW_MEMBERS_TARGET": "60",
            "SCREENING_SEPARATE_APPROVER": "false",
        }
    )
    assert settings.login_max_failures_per_client == 40
    assert settings.new_members_target == 60
    assert settings.screening_separate_approver is False
    defaults = Settings.from_env({})
    assert (defaults.login_max_failures_per_client, defaults.new_members_target) == (5, 50)
    assert defaults.screening_separate_approver is True


def test_search_url_selects_meilisearch_with_its_key(tmp_path: Path) -> None:
    from search import open_search
    from search.embedded import EmbeddedSearch
    from search.meili import MeiliSearch

    settings = Settings.from_env(
        {**PRODUCTION, "SEARCH_URL": "http://search:7700", "SEARCH_API_KEY": "k" * 24}
    ).validate()
    backend = open_search(settings.search_url, settings.data_dir, settings.search_api_key)
    assert isinstance(backend, MeiliSearch)
    embedded = open_search("", tmp_path)
    assert isinstance(embedded, EmbeddedSearch)
    asyncio.run(embedded.close())
    with pytest.raises(ConfigurationError, match="SEARCH_API_KEY"):
        Settings.from_env({**PRODUCTION, "SEARCH_URL": "http://search:7700"}).validate()
    with pytest.raises(ConfigurationError, match="SEARCH_URL"):
        Settings.from_env({"SEARCH_URL": "search:7700"}).validate()


def test_log_retention_comes_from_the_environment_within_bounds() -> None:
    assert Settings.from_env({}).page_view_retention_months == 13
    assert Settings.from_env({"PAGE_VIEW_RETENTION_MONTHS": "25"}).page_view_retention_months == 25
    with pytest.raises(ConfigurationError, match="PAGE_VIEW_RETENTION_MONTHS"):
        Settings.from_env({"PAGE_VIEW_RETENTION_MONTHS": "0"}).validate()
    with pytest.raises(ConfigurationError, match="SEARCH_LOG_RETENTION_DAYS"):
        Settings.from_env({"SEARCH_LOG_RETENTION_DAYS": "30"}).validate()
