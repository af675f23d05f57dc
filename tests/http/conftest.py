"""Fixtures for the HTTP tests: one account per role, things to point path ids at, row counts."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from api import clock
from api.accounts import service as accounts
from api.accounts.tables import Account, UserSession
from api.applications import service as applications
from api.articles import service
from api.articles.service import ArticleInput, ArticleView, PageInput
from api.audit.tables import AuditEntry
from api.jobs import service as jobs
from api.jobs.tables import Job
from api.mail.tables import OutboxMail
from api.permissions import SCOPES, Role
from api.principal import Principal
from api.settings import Settings
from tests.conftest import PASSWORD, make_account, web_login
from tests.factories import make_organisation

# None stands for an account that has no role at all (it may still use its own account).
ROLE_CASES: list[Role | None] = [*Role, None]


def role_email(role: Role | None) -> str:
    return f"{role.value if role else 'norole'}@example.jp"


@dataclass(frozen=True, slots=True)
class World:
    """What the route walks need: accounts per role and real ids for path parameters."""

    accounts: dict[Role | None, accounts.AccountView]
    target: accounts.AccountView  # an invited user (no password yet) that routes can act on
    job_id: int  # a failed job, so it can be retried
    token_id: int
    token: str
    organisation_id: int  # the active organisation of the member user and the member admin
    other_organisation_id: int  # another active organisation, with its own member admin
    application_id: int = 0  # a membership application waiting for screening

    def path_values(self) -> dict[str, str]:
        return {
            "organisation_id": str(self.organisation_id),
            "application_id": str(self.application_id),
            "account_id": str(self.target.id),
            "job_id": str(self.job_id),
            "token_id": str(self.token_id),
            "token": "no-such-token",
            "path": "no-such-schema.json",
            "year": "2025",  # a fiscal year the member report accepts
            "media_id": "999999",  # no such media item: pages answer 404 after the guard
            "width": "320",
            # Publishing: ids that name no row (404 for those allowed), a kind and a slug.
            "article_id": "1",
            "revision_number": "1",
            "page_id": "1",
            "theme_id": "1",
            "kind": "news",
            "slug": "no-such-article",
            # Solutions: ids that name no row (404 after the guard for those allowed).
            "solution_id": "999999",
            "category_id": "999999",
            "inquiry_id": "999999",
            "file_id": "999999",
            # Events: ids that name no row (404 after the guard for those allowed).
            "event_id": "999999",
            "registration_id": "999999",
            "material_id": "999999",
            # Recordings: ids that name no row (404 after the guard for those allowed).
            "recording_id": "999999",
            "synonym_id": "999999",  # no such synonym group: 404 after the guard
            "part_number": "1",
            # Progress management: ids that name no row (404 after the guard for those allowed).
            "item_id": "999999",
            "issue_id": "999999",
            "minutes_id": "999999",
        }


def admin_principal(view: accounts.AccountView) -> Principal:
    return Principal(
        account_id=view.id, email=view.email, display_name=view.display_name, roles=view.roles
    )


async def every_scope_token(world: World) -> str:
    """An API token of the admin with every scope (the walks of every route use it)."""
    admin = world.accounts[Role.ADMIN]
    _, token = await accounts.create_api_token(
        admin_principal(admin), admin.id, "全スコープ", list(SCOPES)
    )
    return token


@pytest.fixture
async def world(settings: Settings, db: None) -> World:
    organisation_id = await make_organisation(1)
    other_organisation_id = await make_organisation(2)
    made: dict[Role | None, accounts.AccountView] = {}
    for role in ROLE_CASES:
        member = role in (Role.MEMBER_USER, Role.MEMBER_ADMIN)
        made[role] = await make_account(
            settings,
            role_email(role),
            {role} if role else set(),
            organisation_id=organisation_id if member else None,
        )
    await make_account(
        settings, "other-admin@example.jp", {Role.MEMBER_ADMIN},
        organisation_id=other_organisation_id,
    )  # fmt: skip
    admin = admin_principal(made[Role.ADMIN])
    target, _ = await accounts.invite_account(
        settings,
        admin,
        accounts.AccountInput(
            email="target@example.jp", display_name="対象 ユーザー", roles=frozenset({Role.STAFF})
        ),
    )
    job_id = await jobs.enqueue("test.noop", {})
    await Job.update({Job.status: "failed", Job.last_error: "テスト"}).where(Job.id == job_id)
    token_view, token = await accounts.create_api_token(
        admin, made[Role.MEMBER_USER].id, "テスト用トークン", ["account:read"]
    )
    return World(
        accounts=made, target=target, job_id=job_id, token_id=token_view.id, token=token,
        organisation_id=organisation_id, other_organisation_id=other_organisation_id,
        application_id=await pending_application(settings),
    )  # fmt: skip


async def pending_application(settings: Settings) -> int:
    from tests.http.test_applications import application_form

    return (await applications.submit_application(settings, application_form(9))).application_id


async def login_as(client: AsyncTestClient, email: str, password: str = PASSWORD) -> None:
    """A fresh browser: no cookies, then a web login (session and CSRF cookies)."""
    client.cookies.clear()
    await web_login(client, email, password)


@contextlib.asynccontextmanager
async def browser(app: Litestar) -> AsyncIterator[AsyncTestClient]:
    """A second browser on the same app, with its own cookies; it does not follow redirects."""
    async with AsyncTestClient(app=app) as other:
        other.follow_redirects = False
        yield other


async def row_counts() -> dict[str, int]:
    return {
        "account": await Account.count(),
        "audit": await AuditEntry.count(),
        "mail": await OutboxMail.count(),
        "session": await UserSession.count(),
    }


def is_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


# A body that passes the accessibility check (two sections).
ARTICLE_BODY = (
    "## 導入の背景\n\n紙の台帳で在庫を管理していました。\n\n## 取り組み\n\nクラウドに移しました。\n"
)


class Editorial:
    """An editor and a publisher acting through the service, as the console would."""

    def __init__(self, world: World) -> None:
        self.editor = admin_principal(world.accounts[Role.EDITOR])
        self.staff = admin_principal(world.accounts[Role.STAFF])

    async def draft(self, data: ArticleInput) -> ArticleView:
        return await service.create_article(self.editor, data)

    async def published(self, data: ArticleInput) -> ArticleView:
        return await service.publish_now(self.staff, (await self.draft(data)).id)

    async def in_state(self, data: ArticleInput, state: str) -> ArticleView:
        created = await self.draft(data)
        if state == "in_review":
            return await service.submit_for_review(self.editor, created.id)
        if state == "scheduled":
            return await service.schedule(self.staff, created.id, clock.now() + timedelta(days=3))
        if state == "unpublished":
            await service.publish_now(self.staff, created.id)
            return await service.unpublish(self.staff, created.id)
        assert state == "draft"
        return created

    async def page(self, slug: str, title: str, parent: int | None = None, publish: bool = True):
        made = await service.create_page(
            self.editor,
            PageInput(slug=slug, title=title, body_markdown=ARTICLE_BODY, parent_id=parent),
        )
        if publish:
            await service.set_page_state(self.staff, made.id, "published")
        return made


@pytest.fixture
def editorial(world: World) -> Editorial:
    return Editorial(world)
