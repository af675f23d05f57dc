"""Demo membership applications for the embedded mode: a few waiting in the screening queue.

One is new, one has its checklist and anti-social-forces check recorded by the demo admin (so the
demo staff account can approve it under the second-pair-of-eyes rule), one waits for more
information from the applicant. Loading is idempotent: each has a fixed submission key.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.accounts.tables import Account
from api.applications import service as applications
from api.applications.tables import Application
from api.members.validation import corporate_number_check_digit
from api.permissions import Role
from api.principal import Principal
from api.settings import Settings
from storage import open_store


@dataclass(frozen=True, slots=True)
class DemoApplication:
    key: str
    name: str
    kana: str
    industry: str
    size_band: str
    municipality: str
    address: str
    representative: str
    applicant: str
    department: str
    stage: str  # "new", "screened" or "info"


DEMO_APPLICATIONS = (
    DemoApplication(
        "demo-application-0001", "株式会社球磨川スマートファーム", "クマガワスマートファーム",
        "A", "6-20", "人吉市", "西間下町12-3", "球磨 大地", "相良 みどり", "経営企画室", "new",
    ),
    DemoApplication(
        "demo-application-0002", "有限会社不知火ロジテック", "シラヌイロジテック",
        "H", "21-50", "宇城市", "不知火町高良45-1", "宇城 誠", "松橋 直子", "総務課", "screened",
    ),
    DemoApplication(
        "demo-application-0003", "合同会社みなまたデータラボ", "ミナマタデータラボ",
        "G", "1-5", "水俣市", "浜町2-8-10", "水俣 翔", "袋 由香", "", "info",
    ),
    DemoApplication(
        "demo-application-0004", "株式会社玉名ものづくり工房", "タマナモノヅクリコウボウ",
        "E", "51-100", "玉名市", "築地330-2", "玉名 和夫", "岱明 恵", "生産管理部", "new",
    ),
)  # fmt: skip


def _form(serial: int, entry: DemoApplication) -> dict[str, str]:
    base = f"65{serial:010d}"  # a made-up range, apart from the demo members'
    return {
        "name": entry.name,
        "name_kana": entry.kana,
        "corporate_number": f"{corporate_number_check_digit(base)}{base}",
        "kind": "company",
        "industry": entry.industry,
        "size_band": entry.size_band,
        "postal_code": f"86{serial}-00{serial:02d}",
        "prefecture": "熊本県",
        "municipality": entry.municipality,
        "address_line": entry.address,
        "website": "",
        "representative_name": entry.representative,
        "representative_title": "代表取締役",
        "applicant_name": entry.applicant,
        "applicant_department": entry.department,
        "applicant_email": f"applicant{serial}@example.jp",
        "applicant_phone": f"0966-00-{1000 + serial:04d}",
        "agree_terms": "on",
        "declaration": "on",
        "declaration_name": entry.representative,
        "submission_key": entry.key,
    }


async def _demo_admin() -> Principal | None:
    rows = await Account.select(Account.id, Account.email, Account.display_name).where(
        Account.email == "admin@example.jp"
    )
    if not rows:
        return None
    row = rows[0]
    return Principal(
        account_id=row["id"], email=row["email"], display_name=row["display_name"],
        roles=frozenset({Role.ADMIN}),
    )  # fmt: skip


async def load_demo_applications(settings: Settings) -> int:
    """Create the demo applications that are missing; returns how many were created."""
    if await Application.exists().where(
        Application.submission_key.is_in([entry.key for entry in DEMO_APPLICATIONS])
    ):
        return 0
    admin = await _demo_admin()
    created = 0
    for serial, entry in enumerate(DEMO_APPLICATIONS, 1):
        result = await applications.submit_application(settings, _form(serial, entry))
        created += int(result.created)
        if admin is None or entry.stage == "new":
            continue
        if entry.stage == "info":
            await applications.request_info(
                settings, admin, result.application_id,
                "従業員数と主な事業内容がわかる資料（会社案内など）の内容を、申込内容の備考としてお知らせください。",
            )  # fmt: skip
            continue
        checklist = await applications.current_checklist()
        await applications.record_checklist(
            admin, result.application_id, checklist.version,
            {item.key: {"answer": "ok", "note": ""} for item in checklist.items},
        )  # fmt: skip
        await applications.record_antisocial_check(
            settings, open_store(settings.storage_url, settings.data_dir), admin,
            result.application_id,
            {"method": "center", "source": "熊本県暴力追放運動推進センター", "result": "clear",
             "notes": "照会の結果、該当なし。"},
        )  # fmt: skip
    return created
