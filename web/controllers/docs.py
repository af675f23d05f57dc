"""/api/docs: the OpenAPI schema as an accessible page (no CDN, no inline script)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from web.rendering import page

METHODS = ("get", "post", "put", "patch", "delete")


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for path, item in sorted(schema.get("paths", {}).items()):
        for method in METHODS:
            if method in item:
                op = item[method]
                found.append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "summary": op.get("summary", ""),
                        "tags": op.get("tags", []),
                        "parameters": op.get("parameters", []),
                        "has_body": "requestBody" in op,
                        "responses": sorted(op.get("responses", {}).keys()),
                        "anchor": f"{method}-{path}".replace("/", "-")
                        .replace("{", "")
                        .replace("}", ""),
                    }
                )
    return found


@get("/api/docs", opt={"action": "public.view"}, include_in_schema=False)
async def api_docs(request: Request) -> Template:
    schema = request.app.openapi_schema.to_schema()
    return page(
        request, "docs/api.html", info=schema.get("info", {}), operations=operations(schema)
    )


ROUTES = [api_docs]
