"""Whole-number path parameters beyond what the database stores answer 404 on every route
(problem+json under /api/), from the one check in the guard, never a 500."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.permissions import PERMISSIONS, SCOPES, Role
from tests.http.conftest import World, every_scope_token
from tests.http.test_permissions import endpoints

INT_PARAM = re.compile(r"\{(\w+):int\}")
OUT_OF_RANGE = ["21002164457899089920", str(2**31), "0", "-1"]


async def test_out_of_range_numbers_in_paths_answer_404(
    client: AsyncTestClient, app: Litestar, world: World
) -> None:
    admin = world.accounts[Role.ADMIN]
    token = await every_scope_token(world)
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {token}"}
    values = world.path_values()
    problems = []
    walked = [e for e in endpoints(app) if INT_PARAM.search(e.path)]
    assert len(walked) > 20  # media, articles, solutions, members, applications, jobs ...
    for endpoint in walked:
        action = PERMISSIONS[endpoint.action or ""]
        allowed = action.public or action.allows(admin.roles, frozenset(SCOPES))
        for number in OUT_OF_RANGE:
            for name in INT_PARAM.findall(endpoint.path):
                url = INT_PARAM.sub(
                    lambda m, name=name, number=number: (
                        number if m.group(1) == name else values[m.group(1)]
                    ),
                    endpoint.path,
                )
                body = {"json": {}} if endpoint.is_api else {"data": {"x": "y"}}
                response = await client.request(endpoint.method, url, headers=headers, **body)
                expected = 404 if allowed else 403
                label = f"{endpoint.method} {url}: {response.status_code}"
                if response.status_code != expected:
                    problems.append(label)
                elif endpoint.is_api and not response.headers["content-type"].startswith(
                    "application/problem+json"
                ):
                    problems.append(f"{label} is not problem+json")
    assert not problems, "\n".join(problems)


async def test_the_reported_public_media_id_answers_404(client: AsyncTestClient) -> None:
    response = await client.get("/api/v1/public-media/21002164457899089920")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    page = await client.get("/media/21002164457899089920")
    assert page.status_code == 404
