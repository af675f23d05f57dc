"""Reference lists for member organisations: kinds, JSIC divisions, size bands, places, statuses.

Codes are what the database keeps; labels are what people read. Lists keep their official order.
"""

from __future__ import annotations

from enum import StrEnum


class OrganisationKind(StrEnum):
    COMPANY = "company"
    SOLE_PROPRIETOR = "sole_proprietor"
    ASSOCIATION = "association"
    SCHOOL = "school"
    PUBLIC_BODY = "public_body"
    OTHER = "other"


KIND_LABELS: dict[str, str] = {
    OrganisationKind.COMPANY: "企業（法人）",
    OrganisationKind.SOLE_PROPRIETOR: "個人事業主",
    OrganisationKind.ASSOCIATION: "団体・組合",
    OrganisationKind.SCHOOL: "大学・学校",
    OrganisationKind.PUBLIC_BODY: "自治体・公的機関",
    OrganisationKind.OTHER: "その他",
}

# Kinds that may have no corporate number (法人番号): sole proprietors and voluntary groups.
KINDS_WITHOUT_CORPORATE_NUMBER = frozenset(
    {OrganisationKind.SOLE_PROPRIETOR, OrganisationKind.ASSOCIATION, OrganisationKind.OTHER}
)

# Japan Standard Industrial Classification (Rev. 14), major divisions A to T.
INDUSTRY_LABELS: dict[str, str] = {
    "A": "農業，林業",
    "B": "漁業",
    "C": "鉱業，採石業，砂利採取業",
    "D": "建設業",
    "E": "製造業",
    "F": "電気・ガス・熱供給・水道業",
    "G": "情報通信業",
    "H": "運輸業，郵便業",
    "I": "卸売業，小売業",
    "J": "金融業，保険業",
    "K": "不動産業，物品賃貸業",
    "L": "学術研究，専門・技術サービス業",
    "M": "宿泊業，飲食サービス業",
    "N": "生活関連サービス業，娯楽業",
    "O": "教育，学習支援業",
    "P": "医療，福祉",
    "Q": "複合サービス事業",
    "R": "サービス業（他に分類されないもの）",
    "S": "公務（他に分類されるものを除く）",
    "T": "分類不能の産業",
}

SIZE_LABELS: dict[str, str] = {
    "1-5": "1〜5人",
    "6-20": "6〜20人",
    "21-50": "21〜50人",
    "51-100": "51〜100人",
    "101-300": "101〜300人",
    "301-": "301人以上",
}


class MembershipStatus(StrEnum):
    APPLIED = "applied"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


STATUS_LABELS: dict[str, str] = {
    MembershipStatus.APPLIED: "申請中",
    MembershipStatus.ACTIVE: "有効",
    MembershipStatus.SUSPENDED: "休止中",
    MembershipStatus.WITHDRAWN: "退会",
}

KUMAMOTO = "熊本県"

# Kumamoto's 45 municipalities in the order of their local government codes.
KUMAMOTO_MUNICIPALITIES: tuple[str, ...] = (
    "熊本市", "八代市", "人吉市", "荒尾市", "水俣市", "玉名市", "山鹿市", "菊池市", "宇土市",
    "上天草市", "宇城市", "阿蘇市", "天草市", "合志市",
    "美里町", "玉東町", "南関町", "長洲町", "和水町", "大津町", "菊陽町", "南小国町", "小国町",
    "産山村", "高森町", "西原村", "南阿蘇村", "御船町", "嘉島町", "益城町", "甲佐町", "山都町",
    "氷川町", "芦北町", "津奈木町", "錦町", "多良木町", "湯前町", "水上村", "相良村", "五木村",
    "山江村", "球磨村", "あさぎり町", "苓北町",
)  # fmt: skip

PREFECTURES: tuple[str, ...] = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県",
    "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県",
    "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府",
    "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県",
    "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県",
    "鹿児島県", "沖縄県",
)  # fmt: skip

# Filters and reports group everything outside Kumamoto under one heading.
OUTSIDE_KUMAMOTO = "県外"


def municipality_group(prefecture: str, municipality: str) -> str:
    return municipality if prefecture == KUMAMOTO else OUTSIDE_KUMAMOTO


class OrganisationLabels:
    """Readable labels of an organisation's codes, for any view that has kind, industry and
    size_band (the staff view and the directory entry)."""

    __slots__ = ()
    kind: str
    industry: str
    size_band: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def industry_label(self) -> str:
        return INDUSTRY_LABELS.get(self.industry, self.industry)

    @property
    def size_label(self) -> str:
        return SIZE_LABELS.get(self.size_band, self.size_band)
