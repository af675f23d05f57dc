"""compose.yaml describes production; no Docker engine runs here, so it is checked by reading."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def load() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_names_the_production_services_with_health_checks() -> None:
    services = load()["services"]
    assert {"proxy", "app", "worker", "db"} <= set(services)
    for name, service in services.items():
        if service.get("restart") == "no":
            continue  # a one-shot setup step: done is its health
        check = service.get("healthcheck", {})
        assert check.get("test"), f"{name} has no health check"
    assert "readyz" in " ".join(services["app"]["healthcheck"]["test"])


def test_proxy_terminates_tls_in_front_of_the_app() -> None:
    proxy = load()["services"]["proxy"]
    assert proxy["image"].startswith("caddy:")
    assert "443:443" in proxy["ports"]
    caddyfile = load()["configs"]["caddyfile"]["content"]
    assert "reverse_proxy app:8000" in caddyfile
    assert "encode zstd gzip" in caddyfile  # compressed by the proxy as well
    assert any(c["target"] == "/etc/caddy/Caddyfile" for c in proxy["configs"])


def test_app_runs_in_production_mode_with_several_processes() -> None:
    compose = load()
    app = compose["services"]["app"]
    env = app["environment"]
    assert env["APP_MODE"] == "production"
    assert env["SESSION_COOKIE_SECURE"] == "true"
    assert "?" in env["SECRET_KEY"], "the secret must be required, never defaulted"
    assert env["DATABASE_URL"].startswith("postgresql://")
    assert "--workers" in app["command"]
    assert compose["services"]["worker"]["command"] == ["kdx", "worker"]


def test_database_keeps_its_data_in_a_named_volume() -> None:
    compose = load()
    db = compose["services"]["db"]
    assert db["image"].startswith("postgres:")
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]


def test_the_image_copies_directories_that_exist() -> None:
    dockerfile = load()["services"]["app"]["build"]["dockerfile_inline"]
    for source in re.findall(r"^COPY (\S+) ", dockerfile, flags=re.MULTILINE):
        assert (ROOT / source).exists(), source


def test_minio_holds_the_recordings_with_a_volume_a_bucket_and_secrets_from_the_environment() -> (
    None
):
    compose = load()
    services = compose["services"]
    objects = services["objects"]
    assert objects["image"].startswith("minio/minio:")
    assert "objects-data:/data" in objects["volumes"] and "objects-data" in compose["volumes"]
    for name in ("MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"):
        assert "?" in objects["environment"][name], f"{name} must be required, never defaulted"
    bucket = services["objects-bucket"]
    assert "mc mb --ignore-existing kdx/kdx" in " ".join(bucket["entrypoint"])
    assert bucket["depends_on"]["objects"]["condition"] == "service_healthy"
    app = services["app"]
    assert app["environment"]["STORAGE_URL"].startswith("s3://")
    assert "@objects:9000/kdx?" in app["environment"]["STORAGE_URL"]
    assert app["depends_on"]["objects-bucket"]["condition"] == "service_completed_successfully"
    assert "reverse_proxy objects:9000" in compose["configs"]["caddyfile"]["content"]


def test_meilisearch_searches_with_a_volume_a_key_from_the_environment_and_a_health_check() -> None:
    compose = load()
    services = compose["services"]
    search = services["search"]
    assert search["image"].startswith("getmeili/meilisearch:v1.")
    assert "search-data:/meili_data" in search["volumes"] and "search-data" in compose["volumes"]
    assert "?" in search["environment"]["MEILI_MASTER_KEY"], "the key must be required"
    assert search["environment"]["MEILI_ENV"] == "production"
    assert "/health" in " ".join(search["healthcheck"]["test"])
    for name in ("app", "worker"):  # the worker applies the outbox to the same index
        env = services[name]["environment"]
        assert env["SEARCH_URL"] == "http://search:7700"
        assert "MEILI_MASTER_KEY" in env["SEARCH_API_KEY"]
    assert services["app"]["depends_on"]["search"]["condition"] == "service_healthy"
