"""A property-based run of the OpenAPI schema (schemathesis): every operation gets generated
requests, as an anonymous client and with a token that has every scope; no answer is a 5xx,
and every answer matches what the schema says of it. Bounded: a few examples per operation."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from litestar import Litestar
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.http.conftest import World, every_scope_token

EXAMPLES = 8  # per operation and client; CI time stays bounded
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def run_operations(app: Litestar, headers: dict[str, str]) -> list[str]:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    failures: list[str] = []
    with asgi.get_client(app) as client:
        for result in schema.get_all_operations():
            operation = result.ok()

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy())
            def check(case: schemathesis.Case) -> None:
                response = case.call(session=client, headers=headers)
                case.validate_response(response, checks=CHECKS, headers=headers)

            try:
                check()
            except (Exception, BaseExceptionGroup) as exc:  # every failing operation is reported
                failures.append(f"{operation.label}: {str(exc)[:600]}")
    return failures


def test_anonymous_clients_get_no_server_error_and_schema_shaped_answers(
    app: Litestar, world: World
) -> None:
    failures = run_operations(app, {})
    assert not failures, "\n\n".join(failures)


async def test_a_token_with_every_scope_gets_no_server_error_and_schema_shaped_answers(
    app: Litestar, world: World
) -> None:
    token = await every_scope_token(world)
    failures = run_operations(app, {"Authorization": f"Bearer {token}"})
    assert not failures, "\n\n".join(failures)
