"""The indexes, their settings and the default synonym groups."""

from __future__ import annotations

from search.base import IndexSettings

SOLUTIONS = "solutions"
CASE_STUDIES = "case_studies"
INDEX_LABELS = {SOLUTIONS: "ソリューション", CASE_STUDIES: "導入事例"}  # what people read

# Title above the organisation's name and reading above the summary above the body.
SOLUTION_SETTINGS = IndexSettings(
    searchable=(("title", 4.0), ("org", 3.0), ("org_kana", 3.0), ("categories", 2.0),
                ("summary", 2.0), ("body", 1.0)),
    filterable=("category", "industry", "municipality", "subsidy", "price_model"),
    sortable=("updated",),
)  # fmt: skip
CASE_STUDY_SETTINGS = IndexSettings(
    searchable=(("title", 4.0), ("org", 3.0), ("org_kana", 3.0), ("themes", 2.0),
                ("summary", 2.0), ("body", 1.0)),
    filterable=("theme", "industry", "municipality"),
    sortable=("published",),
)  # fmt: skip
SETTINGS: dict[str, IndexSettings] = {
    SOLUTIONS: SOLUTION_SETTINGS,
    CASE_STUDIES: CASE_STUDY_SETTINGS,
}

# What the first start seeds; staff change them afterwards (no reindex needed).
DEFAULT_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("DX", "デジタルトランスフォーメーション"),
    ("AI", "人工知能"),
    ("補助金", "助成金"),
    ("EC", "ネット販売", "ネットショップ"),
    ("IoT", "モノのインターネット"),
    ("RPA", "業務自動化"),
    ("クラウド", "SaaS"),
    ("ペーパーレス", "電子化"),
    ("テレワーク", "リモートワーク", "在宅勤務"),
    ("セキュリティ", "情報セキュリティ"),
)

OUTBOX_BATCH = 200  # documents applied per round of the worker
