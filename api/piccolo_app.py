"""The Piccolo app: every table of the platform, and where its migrations live."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from api.accounts.tables import (
    Account,
    AccountRole,
    ApiToken,
    LoginAttempt,
    OneTimeToken,
    UserSession,
)
from api.analytics.tables import (
    AccountActivity,
    PageView,
    PageViewDaily,
    PageViewRollup,
    ReferrerDaily,
)
from api.applications.tables import AntisocialCheck, Application, ScreeningChecklist
from api.articles.tables import (
    Article,
    ArticleRelation,
    ArticleTheme,
    ContentGeneration,
    Page,
    Revision,
    Theme,
)
from api.audit.tables import AuditEntry
from api.events.tables import Event, EventMaterial, EventRegistration
from api.jobs.tables import Job
from api.mail.tables import OutboxMail
from api.media.tables import MediaItem
from api.members.tables import Organisation, OrganisationContact
from api.progress.tables import MeetingMinutes, ProjectIssue, ScheduleItem
from api.recordings.tables import Recording, RecordingMonthlyView
from api.reports.tables import KpiTarget, MonthlyReportNote
from api.searching.tables import (
    SearchClick,
    SearchLog,
    SearchMonthlyQuery,
    SearchOutbox,
    SearchRollup,
    SearchSynonym,
)
from api.solutions.tables import (
    Solution,
    SolutionBookmark,
    SolutionCategory,
    SolutionFile,
    SolutionInquiry,
    SolutionMonthlyStat,
    SolutionTag,
)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

TABLES = [
    Account,
    AccountRole,
    UserSession,
    OneTimeToken,
    ApiToken,
    LoginAttempt,
    AuditEntry,
    Job,
    OutboxMail,
    Organisation,
    OrganisationContact,
    ScreeningChecklist,
    Application,
    AntisocialCheck,
    Theme,
    Article,
    ArticleTheme,
    ArticleRelation,
    Revision,
    Page,
    MediaItem,
    ContentGeneration,
    SolutionCategory,
    Solution,
    SolutionTag,
    SolutionBookmark,
    SolutionInquiry,
    SolutionMonthlyStat,
    SolutionFile,
    Event,
    EventRegistration,
    EventMaterial,
    Recording,
    RecordingMonthlyView,
    SearchOutbox,
    SearchSynonym,
    SearchLog,
    SearchMonthlyQuery,
    SearchRollup,
    SearchClick,
    PageView,
    PageViewDaily,
    ReferrerDaily,
    PageViewRollup,
    AccountActivity,
    KpiTarget,
    MonthlyReportNote,
    ScheduleItem,
    ProjectIssue,
    MeetingMinutes,
]

APP_CONFIG = AppConfig(
    app_name="platform",
    migrations_folder_path=str(MIGRATIONS_DIR),
    table_classes=TABLES,
    migration_dependencies=[],
    commands=[],
)
