"""CORS_ORIGINS: exact origins only; anything else stops the app at startup."""

import pytest

from api.settings import ConfigurationError, Settings


def test_no_origins_by_default() -> None:
    assert Settings.from_env({}).validate().cors_origins == ()


def test_comma_separated_origins_are_read_and_trimmed() -> None:
    settings = Settings.from_env(
        {"CORS_ORIGINS": " https://www.pref.kumamoto.jp, http://localhost:3000/ ,,"}
    ).validate()
    assert settings.cors_origins == ("https://www.pref.kumamoto.jp", "http://localhost:3000")


@pytest.mark.parametrize(
    "value",
    [
        "*",
        "https://*.kumamoto.jp",
        "www.pref.kumamoto.jp",
        "https://www.pref.kumamoto.jp/path",
        "ftp://files.example.jp",
        "https://WWW.PREF.KUMAMOTO.JP",
        "https://example.jp?x=1",
        "https://example.jp, null",
    ],
)
def test_anything_but_an_exact_origin_is_refused(value: str) -> None:
    with pytest.raises(ConfigurationError, match="CORS_ORIGINS"):
        Settings.from_env({"CORS_ORIGINS": value}).validate()
