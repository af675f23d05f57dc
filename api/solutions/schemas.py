"""JSON shapes of the solutions API: solutions, categories, inquiries and monthly counts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec

from api.articles.markdown import render_markdown
from api.pagination import Page
from api.solutions.inquiries import InquiryView
from api.solutions.service import SolutionFileView, SolutionStatistics, SolutionView
from api.solutions.taxonomy import CategoryView


class CategoryOut(msgspec.Struct):
    id: int
    name: str
    position: int
    active: bool

    @classmethod
    def of(cls, view: CategoryView) -> CategoryOut:
        return cls(id=view.id, name=view.name, position=view.position, active=view.active)


class CategoryIn(msgspec.Struct):
    name: str


class CategoryUpdate(msgspec.Struct):
    name: str
    position: int = 0
    active: bool = True


class SolutionIn(msgspec.Struct):
    """A whole solution (POST creates, PUT replaces every field)."""

    title: str
    summary: Annotated[str, msgspec.Meta(description="一覧に表示する概要（200文字以内）")]
    price_model: Annotated[str, msgspec.Meta(description="free, subscription, one_off, quote")]
    category_ids: Annotated[list[int], msgspec.Meta(description="カテゴリのID（1〜5個）")]
    delivery: Annotated[
        list[str], msgspec.Meta(description="cloud, on_premises, service, consulting")
    ]
    description: Annotated[str, msgspec.Meta(description="Markdown（公開時にサニタイズ）")] = ""
    industries: Annotated[
        list[str], msgspec.Meta(description="対象業種（日本標準産業分類の大分類 A〜T）")
    ] = []
    all_kumamoto: Annotated[bool, msgspec.Meta(description="熊本県内全域に対応")] = False
    municipalities: Annotated[
        list[str], msgspec.Meta(description="対応する県内市町村（all_kumamoto が false のとき）")
    ] = []
    sizes: Annotated[list[str], msgspec.Meta(description="対象企業規模の区分")] = []
    price_text: str = ""
    subsidy_eligible: Annotated[bool, msgspec.Meta(description="IT導入補助金の対象")] = False
    website: str = ""
    case_study_ids: Annotated[
        list[int], msgspec.Meta(description="関連する公開中の導入事例（記事ID、5件まで）")
    ] = []

    def values(self) -> dict[str, Any]:
        return msgspec.structs.asdict(self)


class VisibilityIn(msgspec.Struct):
    hidden: bool


class ModerationIn(msgspec.Struct):
    reason: str


class InquiryIn(msgspec.Struct):
    subject: str
    body: str


class SolutionFileOut(msgspec.Struct):
    id: int
    kind: Annotated[str, msgspec.Meta(description="image または brochure（PDF）")]
    url: Annotated[str, msgspec.Meta(description="ファイル（会員のログインが必要）")]
    file_name: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    alt_text: Annotated[str, msgspec.Meta(description="画像の代替テキスト")]
    title: Annotated[str, msgspec.Meta(description="パンフレットの表示名")]
    renditions: Annotated[
        list[str], msgspec.Meta(description="画像の縮小版（WebP）のURL。幅の小さい順")
    ]

    @classmethod
    def of(cls, view: SolutionFileView) -> SolutionFileOut:
        return cls(
            id=view.id, kind=view.kind, url=view.url, file_name=view.file_name,
            content_type=view.content_type, size=view.size, width=view.width,
            height=view.height, alt_text=view.alt_text, title=view.title,
            renditions=[view.rendition_url(r["width"]) for r in view.renditions],
        )  # fmt: skip


class FileTextIn(msgspec.Struct):
    text: Annotated[str, msgspec.Meta(description="画像は代替テキスト（必須）、PDFは表示名")]


class CaseStudyLinkOut(msgspec.Struct):
    id: int
    title: str
    url: Annotated[str, msgspec.Meta(description="公開サイトの導入事例のページ")]


class SolutionOut(msgspec.Struct):
    id: int
    organisation_id: int
    organisation_name: str
    title: str
    summary: str
    description: str
    description_html: Annotated[str, msgspec.Meta(description="説明をサニタイズしたHTML")]
    categories: list[CategoryOut]
    industries: list[str]
    all_kumamoto: bool
    municipalities: list[str]
    sizes: list[str]
    price_model: str
    price_text: str
    delivery: list[str]
    subsidy_eligible: bool
    website: str
    listed: Annotated[bool, msgspec.Meta(description="会員向けの一覧に掲載中か")]
    provider_hidden: bool
    moderated: bool
    moderation_reason: Annotated[
        str, msgspec.Meta(description="事務局が非公開にした理由（提供団体と事務局にだけ見える）")
    ]
    bookmarked: bool
    refresh_requested_at: Annotated[
        datetime | None, msgspec.Meta(description="事務局が最後に更新を依頼した日時")
    ]
    images: list[SolutionFileOut]
    brochures: list[SolutionFileOut]
    case_studies: list[CaseStudyLinkOut]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: SolutionView) -> SolutionOut:
        return cls(
            id=view.id,
            organisation_id=view.organisation_id,
            organisation_name=view.organisation_name,
            title=view.title,
            summary=view.summary,
            description=view.description,
            description_html=render_markdown(view.description),
            categories=[
                CategoryOut(id=category_id, name=name, position=0, active=True)
                for category_id, name in view.categories
            ],
            industries=view.industries,
            all_kumamoto=view.all_kumamoto,
            municipalities=view.municipalities,
            sizes=view.sizes,
            price_model=view.price_model,
            price_text=view.price_text,
            delivery=view.delivery,
            subsidy_eligible=view.subsidy_eligible,
            website=view.website,
            listed=view.listed,
            provider_hidden=view.provider_hidden,
            moderated=view.moderated,
            moderation_reason=view.moderation_reason,
            bookmarked=view.bookmarked,
            refresh_requested_at=view.refresh_requested_at,
            images=[SolutionFileOut.of(f) for f in view.images],
            brochures=[SolutionFileOut.of(f) for f in view.brochures],
            case_studies=[
                CaseStudyLinkOut(id=article_id, title=title, url=f"/case-studies/{slug}")
                for article_id, slug, title in view.case_studies
            ],
            created_at=view.created_at,
            updated_at=view.updated_at,
        )


class SolutionPage(msgspec.Struct):
    items: list[SolutionOut]
    total: int
    page: int
    per_page: int
    pages: int

    @classmethod
    def of(cls, result: Page[SolutionView]) -> SolutionPage:
        return cls(
            items=[SolutionOut.of(view) for view in result.items],
            total=result.total,
            page=result.page,
            per_page=result.per_page,
            pages=result.pages,
        )


class InquiryOut(msgspec.Struct):
    id: int
    solution_id: int | None
    solution_title: str
    sender_organisation_name: str
    sender_name: str
    sender_email: str
    subject: str
    body: str
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, view: InquiryView) -> InquiryOut:
        return cls(**{field: getattr(view, field) for field in cls.__struct_fields__})


class SentInquiryOut(msgspec.Struct):
    """What the sender gets back: the message, without the provider's contacts."""

    id: int
    solution_id: int | None
    subject: str
    created_at: datetime


class InquiryPage(msgspec.Struct):
    items: list[InquiryOut]
    total: int
    page: int
    per_page: int
    pages: int

    @classmethod
    def of(cls, result: Page[InquiryView]) -> InquiryPage:
        return cls(
            items=[InquiryOut.of(view) for view in result.items],
            total=result.total,
            page=result.page,
            per_page=result.per_page,
            pages=result.pages,
        )


class MonthlyCountOut(msgspec.Struct):
    month: Annotated[date, msgspec.Meta(description="月の初日")]
    views: int
    inquiries: int


class SolutionStatisticsOut(msgspec.Struct):
    solution_id: int
    title: str
    months: list[MonthlyCountOut]

    @classmethod
    def of(cls, stats: SolutionStatistics) -> SolutionStatisticsOut:
        return cls(
            solution_id=stats.solution_id,
            title=stats.title,
            months=[MonthlyCountOut(m.month, m.views, m.inquiries) for m in stats.months],
        )
