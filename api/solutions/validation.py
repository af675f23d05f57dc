"""What a provider types for a solution: SolutionInput reads a form or a JSON body (NFKC,
trimmed, multi-valued fields as lists) and says what is wrong, field by field, in Japanese."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from api.members.reference import INDUSTRY_LABELS, KUMAMOTO_MUNICIPALITIES, SIZE_LABELS
from api.solutions.reference import (
    DELIVERY_LABELS,
    FACET_CASE_STUDY,
    FACET_CATEGORY,
    FACET_DELIVERY,
    FACET_INDUSTRY,
    FACET_MUNICIPALITY,
    FACET_SIZE,
    MAX_CASE_STUDIES,
    MAX_CATEGORIES,
    MAX_DESCRIPTION,
    MAX_PRICE_TEXT,
    MAX_SUMMARY,
    MAX_TITLE,
    PRICE_MODEL_LABELS,
)
from api.text import clean, flag, has_control, lookup_text, required_text_problem, text_problem


def _values(value: object) -> list[str]:
    """A multi-valued field from a form (one string or a list) or JSON (a list)."""
    if value is None:
        return []
    if isinstance(value, str | int):
        value = [value]
    if not isinstance(value, Iterable):
        return []
    seen: list[str] = []
    for item in value:
        text = lookup_text(item, 60)
        if text and text not in seen:
            seen.append(text)
    return seen


@dataclass(frozen=True, slots=True)
class SolutionInput:
    """A solution as typed, cleaned (NFKC, trimmed); `problems()` says what is wrong."""

    title: str = ""
    summary: str = ""
    description: str = ""
    category_ids: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    all_kumamoto: bool = False
    municipalities: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    price_model: str = ""
    price_text: str = ""
    delivery: tuple[str, ...] = ()
    subsidy_eligible: bool = False
    website: str = ""
    case_study_ids: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> SolutionInput:
        description = values.get("description")
        return cls(
            title=clean(values.get("title"), MAX_TITLE),
            summary=clean(values.get("summary"), MAX_SUMMARY),
            # The description keeps its line breaks and spaces; only the ends are trimmed.
            description=("" if description is None else str(description))
            .replace("\r\n", "\n")
            .strip()[: MAX_DESCRIPTION + 1],
            category_ids=tuple(_values(values.get("category_ids"))),
            industries=tuple(_values(values.get("industries"))),
            all_kumamoto=flag(values.get("all_kumamoto")),
            municipalities=tuple(_values(values.get("municipalities"))),
            sizes=tuple(_values(values.get("sizes"))),
            price_model=lookup_text(values.get("price_model"), 20),
            price_text=clean(values.get("price_text"), MAX_PRICE_TEXT),
            delivery=tuple(_values(values.get("delivery"))),
            subsidy_eligible=flag(values.get("subsidy_eligible")),
            website=clean(values.get("website"), 300),
            case_study_ids=tuple(_values(values.get("case_study_ids"))),
        )

    def problems(
        self, active_category_ids: set[int], case_study_ids: set[int] = frozenset()
    ) -> dict[str, str]:
        errors: dict[str, str] = {}
        for name, label, limit in (
            ("title", "名称", MAX_TITLE),
            ("summary", "概要", MAX_SUMMARY),
        ):
            problem = required_text_problem(getattr(self, name), label, limit)
            if problem:
                errors[name] = problem
        if problem := text_problem(self.description, "詳しい説明", MAX_DESCRIPTION, multiline=True):
            errors["description"] = problem
        if not self.category_ids:
            errors["category_ids"] = "カテゴリを1つ以上選んでください。"
        elif len(self.category_ids) > MAX_CATEGORIES:
            errors["category_ids"] = f"カテゴリは{MAX_CATEGORIES}つまで選べます。"
        elif not all(v.isdigit() and int(v) in active_category_ids for v in self.category_ids):
            errors["category_ids"] = "一覧にないカテゴリが含まれています。選び直してください。"
        if any(code not in INDUSTRY_LABELS for code in self.industries):
            errors["industries"] = "一覧にない業種が含まれています。選び直してください。"
        if any(name not in KUMAMOTO_MUNICIPALITIES for name in self.municipalities):
            errors["municipalities"] = "熊本県内の市町村から選んでください。"
        elif not self.all_kumamoto and not self.municipalities:
            errors["municipalities"] = (
                "対応地域を選ぶか、「熊本県内全域」にチェックを入れてください。"
            )
        if any(code not in SIZE_LABELS for code in self.sizes):
            errors["sizes"] = "一覧にない企業規模が含まれています。選び直してください。"
        if self.price_model not in PRICE_MODEL_LABELS:
            errors["price_model"] = "料金体系を選んでください。"
        if problem := text_problem(self.price_text, "料金の目安", MAX_PRICE_TEXT):
            errors["price_text"] = problem
        if not self.delivery:
            errors["delivery"] = "提供形態を1つ以上選んでください。"
        elif any(code not in DELIVERY_LABELS for code in self.delivery):
            errors["delivery"] = "一覧にない提供形態が含まれています。選び直してください。"
        if self.website and (
            not self.website.startswith(("https://", "http://"))
            or len(self.website) > 300
            or any(ch.isspace() for ch in self.website)
            or has_control(self.website)
        ):
            errors["website"] = "URLは https:// から始まる形で入力してください（300文字以内）。"
        if len(self.case_study_ids) > MAX_CASE_STUDIES:
            errors["case_study_ids"] = f"関連する導入事例は{MAX_CASE_STUDIES}件まで選べます。"
        elif not all(v.isdigit() and int(v) in case_study_ids for v in self.case_study_ids):
            errors["case_study_ids"] = "公開中の導入事例から選んでください。"
        return errors

    def tags(self) -> list[tuple[str, str]]:
        return [
            *((FACET_CATEGORY, value) for value in self.category_ids),
            *((FACET_INDUSTRY, value) for value in self.industries),
            # "All of Kumamoto" stands for every municipality; the list is then not kept.
            *(
                (FACET_MUNICIPALITY, value)
                for value in (() if self.all_kumamoto else self.municipalities)
            ),
            *((FACET_SIZE, value) for value in self.sizes),
            *((FACET_DELIVERY, value) for value in self.delivery),
            *((FACET_CASE_STUDY, value) for value in self.case_study_ids),
        ]
