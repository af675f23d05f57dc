"""Reference lists of the solutions directory: price models, delivery, facets, limits.

Codes are what the database keeps; labels are what people read. The category taxonomy is not
here: staff keep it in the solution_category table (api.solutions.taxonomy).
"""

from __future__ import annotations

PRICE_MODEL_LABELS: dict[str, str] = {
    "free": "無料",
    "subscription": "月額・年額（サブスクリプション）",
    "one_off": "買い切り（一括払い）",
    "quote": "個別見積",
}

DELIVERY_LABELS: dict[str, str] = {
    "cloud": "クラウド",
    "on_premises": "オンプレミス",
    "service": "サービス提供（代行・運用）",
    "consulting": "コンサルティング・導入支援",
}

# The multi-valued fields kept as solution_tag rows, by facet name.
FACET_CATEGORY = "category"
FACET_INDUSTRY = "industry"
FACET_MUNICIPALITY = "municipality"
FACET_SIZE = "size"
FACET_DELIVERY = "delivery"
FACET_CASE_STUDY = "case_study"  # a published case study (its article id) about the solution

# The taxonomy the first migration seeds; staff change it afterwards.
DEFAULT_CATEGORIES = (
    "業務効率化",
    "生産管理",
    "販売・顧客管理",
    "会計・人事",
    "データ分析・AI",
    "IoT・センサー",
    "セキュリティ",
    "人材育成",
    "農業",
    "観光",
    "医療・福祉",
    "建設",
)

MAX_TITLE = 120
MAX_SUMMARY = 200
MAX_DESCRIPTION = 20_000
MAX_PRICE_TEXT = 200
MAX_CATEGORIES = 5
MAX_CASE_STUDIES = 5
MAX_CATEGORY_NAME = 60
MAX_MODERATION_REASON = 1000
STALE_AFTER_DAYS = 365
