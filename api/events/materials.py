"""Materials of an event (slides, a programme): PDF and Office documents checked by their content
and stored through the storage port. The secretariat adds and removes them; whoever may read the
event downloads them (a members-only seminar's only by members and the secretariat)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, BinaryIO

from api.audit.service import record
from api.db import is_storable_id, transaction
from api.errors import NotFound, ValidationFailed
from api.events import service
from api.events.tables import EventMaterial
from api.media import images
from api.media.service import discard, format_size, store_checked
from api.principal import Principal
from api.text import clean
from storage import ObjectStore

MAX_MATERIALS = 10
MAX_TITLE = 200
NOT_FOUND = "指定された資料は見つかりませんでした。"
DOCUMENT_TYPES = frozenset(
    {images.PDF_TYPE[0], *(content_type for content_type, _, _ in images.OOXML_MAIN_PARTS.values())}
)
REFUSAL = "資料はPDF、Word・Excel・PowerPoint（.docx・.xlsx・.pptx）のファイルを選んでください。"
FULL = f"資料は1つの催しに{MAX_MATERIALS}件まで登録できます。追加するには、先にほかの資料を削除してください。"


@dataclass(frozen=True, slots=True)
class MaterialView:
    id: int
    event_id: int
    title: str
    file_name: str
    storage_key: str
    content_type: str
    size: int

    @property
    def url(self) -> str:
        return f"/events/{self.event_id}/materials/{self.id}"

    @property
    def link_text(self) -> str:
        """講演資料（PDF、1.2MB）: the type and size in the link, as JIS X 8341-3 practice asks."""
        label = images.TYPE_LABELS.get(self.content_type, "ファイル")
        return f"{self.title or self.file_name}（{label}、{format_size(self.size)}）"


def _view(row: dict[str, Any]) -> MaterialView:
    return MaterialView(
        id=row["id"], event_id=row["event"], title=row["title"], file_name=row["file_name"],
        storage_key=row["storage_key"], content_type=row["content_type"], size=row["size"],
    )  # fmt: skip


async def materials_of(event_id: int) -> list[MaterialView]:
    """An event's materials in their order (one query); the caller has checked the event."""
    rows = (
        await EventMaterial.select()
        .where(EventMaterial.event == event_id)
        .order_by(EventMaterial.position)
        .order_by(EventMaterial.id)
    )
    return [_view(row) for row in rows]


async def add_material(
    actor: Principal,
    store: ObjectStore,
    event_id: int,
    file_name: str,
    source: BinaryIO,
    title: object = "",
) -> MaterialView:
    """Check and store a document for an event (the secretariat)."""
    view = await service.get_event_for_staff(actor, event_id)
    text = "".join(ch for ch in clean(title, MAX_TITLE) if ch.isprintable())
    if len(text) > MAX_TITLE:
        raise ValidationFailed({"title": f"表示名は{MAX_TITLE}文字以内で入力してください。"})
    if await EventMaterial.count().where(EventMaterial.event == event_id) >= MAX_MATERIALS:
        raise ValidationFailed({"file": FULL})
    upload = await store_checked(
        store, file_name, source, prefix="events", content_types=DOCUMENT_TYPES, refusal=REFUSAL
    )
    try:
        async with transaction():
            # Counted again inside the transaction: two uploads at once make no eleventh.
            count = await EventMaterial.count().where(EventMaterial.event == event_id)
            if count >= MAX_MATERIALS:
                raise ValidationFailed({"file": FULL})
            rows = await EventMaterial.insert(
                EventMaterial(
                    event=event_id, title=text, file_name=upload.file_name,
                    storage_key=upload.storage_key, content_type=upload.content_type,
                    size=upload.size, position=count,
                )
            ).returning(EventMaterial.id)  # fmt: skip
            await record(
                actor, "event.material_add", "event", event_id, target_label=view.title,
                after={"material": rows[0]["id"], "name": upload.file_name, "size": upload.size},
            )  # fmt: skip
    except BaseException:
        await discard(store, upload.keys)
        raise
    return await _material(event_id, rows[0]["id"])


async def _material(event_id: int, material_id: int) -> MaterialView:
    rows = []
    if is_storable_id(event_id) and is_storable_id(material_id):
        rows = await EventMaterial.select().where(
            EventMaterial.id == material_id, EventMaterial.event == event_id
        )
    if not rows:
        raise NotFound(NOT_FOUND)
    return _view(rows[0])


async def material_to_read(
    principal: Principal | None, event_id: int, material_id: int
) -> MaterialView:
    """A material for a reader of its event (members-only seminars: members and staff only)."""
    await service.get_event(principal, event_id)
    return await _material(event_id, material_id)


async def delete_material(
    actor: Principal, store: ObjectStore, event_id: int, material_id: int
) -> None:
    view = await service.get_event_for_staff(actor, event_id)
    material = await _material(event_id, material_id)
    async with transaction():
        await EventMaterial.delete().where(EventMaterial.id == material_id)
        await record(
            actor, "event.material_delete", "event", event_id, target_label=view.title,
            before={"material": material_id, "name": material.file_name},
        )  # fmt: skip
    # After the commit: a failed delete leaves an object without a record, never the reverse.
    await discard(store, [material.storage_key])
