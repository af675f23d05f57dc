"""Roles and the one permission table that decides every action on the server.

Every route names an action (route opt "action"); the guard in api.http.guards looks it up here.
Tests walk this table for every route and every role.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    MEMBER_USER = "member_user"
    MEMBER_ADMIN = "member_admin"
    EDITOR = "editor"
    STAFF = "staff"
    OFFICIAL = "official"
    ADMIN = "admin"


ROLE_LABELS: dict[Role, str] = {
    Role.MEMBER_USER: "会員ユーザー",
    Role.MEMBER_ADMIN: "会員管理者",
    Role.EDITOR: "編集者",
    Role.STAFF: "事務局スタッフ",
    Role.OFFICIAL: "県職員（閲覧）",
    Role.ADMIN: "システム管理者",
}

ALL_ROLES = frozenset(Role)

# Scopes an API token can carry; a token acts as its account, narrowed to these scopes.
SCOPES: dict[str, str] = {
    "account:read": "自分のアカウント情報の参照",
    "users:read": "ユーザー一覧・詳細の参照",
    "users:write": "ユーザーの作成・変更",
    "applications:read": "入会申込の参照",
    "applications:write": "入会申込の審査",
    "members:read": "会員団体の参照",
    "members:write": "会員団体の登録・変更・取込",
    "reports:read": "レポート（会員・催し・検索の分析・閲覧数・利用状況・KPI・月次報告）の参照",
    "reports:write": "KPIの目標と事務局が入力する実績の設定、月次報告の所見と送付",
    "organisation:read": "自団体の情報の参照",
    "organisation:write": "自団体の情報・ユーザーの管理",
    "directory:read": "会員名簿の参照",
    "media:read": "メディアライブラリの参照",
    "media:write": "メディアのアップロード・変更・削除",
    # Publishing (articles and static pages)
    "articles:read": "下書きを含む記事・固定ページの参照",
    "articles:write": "記事・固定ページの作成・編集",
    "articles:publish": "記事・固定ページの公開・予約・公開停止",
    # Solutions directory
    "solutions:read": "ソリューションの参照",
    "solutions:bookmark": "ソリューションのブックマーク",
    "solutions:contact": "ソリューション提供団体への問い合わせ",
    "solutions:write": "自団体のソリューションの登録・変更と問い合わせの受信",
    "solutions:moderate": "ソリューションのカテゴリ管理・非公開（事務局）",
    # Events
    "events:register": "催しへの参加申込と自分の申込の確認・キャンセル（会員）",
    "events:read": "催しの参加者一覧（事務局）",
    "events:write": "催しの作成・変更・公開・中止と受付（事務局）",
    # Recordings
    "recordings:read": "録画アーカイブの視聴（会員）",
    "recordings:write": "録画のアップロード・編集・公開・削除（事務局）",
}


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    roles: frozenset[Role]
    public: bool = False  # anonymous visitors may do it too
    signed_in: bool = False  # every signed-in account, even one without any role
    scope: str | None = None  # the API token scope that allows it; None: never by token

    def allows(self, roles: frozenset[Role], token_scopes: frozenset[str] | None) -> bool:
        if self.public:
            return True
        if token_scopes is not None and (self.scope is None or self.scope not in token_scopes):
            return False
        return self.signed_in or bool(self.roles & roles)


_STAFF_SIDE = frozenset({Role.EDITOR, Role.STAFF, Role.ADMIN})
_SECRETARIAT = frozenset({Role.STAFF, Role.ADMIN})
_MEMBERS = frozenset({Role.MEMBER_USER, Role.MEMBER_ADMIN})

_ACTIONS = [
    Action("public.view", ALL_ROLES, public=True),
    Action("auth.login", ALL_ROLES, public=True),
    # An account without roles still uses its own account page (and logs out).
    Action("account.view", ALL_ROLES, signed_in=True, scope="account:read"),
    Action("account.update", ALL_ROLES, signed_in=True),
    Action("console.view", _STAFF_SIDE),
    Action("users.view", frozenset({Role.STAFF, Role.ADMIN}), scope="users:read"),
    Action("users.manage", frozenset({Role.ADMIN}), scope="users:write"),
    Action("audit.view", frozenset({Role.ADMIN})),
    Action("jobs.manage", frozenset({Role.ADMIN})),
    Action("tokens.manage", frozenset({Role.ADMIN})),
    # Membership applications: anyone applies; the secretariat screens.
    Action("application.submit", ALL_ROLES, public=True),
    Action("applications.view", _SECRETARIAT, scope="applications:read"),
    Action("applications.screen", _SECRETARIAT, scope="applications:write"),
    Action("checklist.manage", frozenset({Role.ADMIN})),
    # Member organisations. Officials read organisation data, never contacts' personal data.
    Action("members.view", _SECRETARIAT | {Role.OFFICIAL}, scope="members:read"),
    Action("members.contacts", _SECRETARIAT, scope="members:read"),
    Action("members.manage", _SECRETARIAT, scope="members:write"),
    Action("reports.members", _SECRETARIAT | {Role.OFFICIAL}, scope="reports:read"),
    # Search analytics: officials read them; staff also roll the log up on demand.
    Action("reports.search", _SECRETARIAT | {Role.OFFICIAL}, scope="reports:read"),
    Action("search.roll_up", _SECRETARIAT),
    Action("search.synonyms", _SECRETARIAT),
    # Page views: officials read them; staff also count the log on demand.
    Action("reports.page_views", _SECRETARIAT | {Role.OFFICIAL}, scope="reports:read"),
    Action("page_views.roll_up", _SECRETARIAT),
    Action("reports.platform_use", _SECRETARIAT | {Role.OFFICIAL}, scope="reports:read"),
    # KPIs per fiscal year: officials read them; staff set the targets.
    Action("reports.kpis", _SECRETARIAT | {Role.OFFICIAL}, scope="reports:read"),
    Action("kpis.manage", _SECRETARIAT, scope="reports:write"),
    # The monthly report: officials read it; staff write the comments and mark it sent.
    Action("reports.monthly", _SECRETARIAT | {Role.OFFICIAL}, scope="reports:read"),
    Action("monthly_report.manage", _SECRETARIAT, scope="reports:write"),
    Action("reports.annual", _SECRETARIAT | {Role.OFFICIAL}, scope="reports:read"),
    # Progress management (schedule, issues list, minutes): officials read; staff keep them.
    Action("progress.view", _SECRETARIAT | {Role.OFFICIAL}, scope="reports:read"),
    Action("progress.manage", _SECRETARIAT, scope="reports:write"),
    # A member's own organisation (the service checks that it is theirs and active).
    Action("organisation.view", _MEMBERS, scope="organisation:read"),
    Action("organisation.manage", frozenset({Role.MEMBER_ADMIN}), scope="organisation:write"),
    Action("directory.view", _MEMBERS | _SECRETARIAT, scope="directory:read"),
    # Media library (issue 4): editors and the secretariat upload; the files themselves are public.
    Action("media.view", _STAFF_SIDE, scope="media:read"),
    Action("media.manage", _STAFF_SIDE, scope="media:write"),
    Action("media.file", ALL_ROLES, public=True),
    # Publishing: editors write drafts; publishing needs the secretariat's right.
    Action("content.read", ALL_ROLES, public=True),
    Action("articles.view_drafts", _STAFF_SIDE, scope="articles:read"),
    Action("articles.edit", _STAFF_SIDE, scope="articles:write"),
    Action("articles.publish", _SECRETARIAT, scope="articles:publish"),
    # Solutions directory: members publish and read (the service checks the organisation is
    # theirs and active); the secretariat reads everything and moderates.
    Action("solutions.view", _MEMBERS | _SECRETARIAT, scope="solutions:read"),
    Action("solutions.bookmark", _MEMBERS, scope="solutions:bookmark"),
    Action("solutions.contact", _MEMBERS, scope="solutions:contact"),
    Action("solutions.manage", _MEMBERS, scope="solutions:write"),
    Action("solutions.moderate", _SECRETARIAT, scope="solutions:moderate"),
    # Events: anyone reads the calendar and registers for open events (the service keeps
    # members-only seminars to members); members register in one step; the secretariat runs them.
    Action("events.view", ALL_ROLES, public=True),
    Action("events.register", ALL_ROLES, public=True),
    Action("events.register_member", _MEMBERS, scope="events:register"),
    Action("events.participants", _SECRETARIAT, scope="events:read"),
    Action("events.manage", _SECRETARIAT, scope="events:write"),
    Action("events.attendance", _SECRETARIAT | {Role.OFFICIAL}, scope="reports:read"),
    # Recordings: members of an active organisation watch (the service checks it); the
    # secretariat uploads and publishes.
    Action("recordings.view", _MEMBERS | _SECRETARIAT, scope="recordings:read"),
    Action("recordings.manage", _SECRETARIAT, scope="recordings:write"),
]

PERMISSIONS: dict[str, Action] = {action.name: action for action in _ACTIONS}


def action(name: str) -> Action:
    return PERMISSIONS[name]


def parse_roles(values: list[str] | tuple[str, ...] | set[str]) -> frozenset[Role]:
    """Roles from strings; unknown names are refused by the caller's validation."""
    return frozenset(Role(value) for value in values if value in Role.__members__.values())
