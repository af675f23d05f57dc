"""A solution's images (up to six, each with its alternative text) and PDF brochures (up to
three), checked by their content and stored through the storage port.

The provider's own organisation adds, edits and deletes them; members read them while they may
read the solution (api.solutions.service.get_solution decides).
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

from api import clock
from api.audit.service import record
from api.db import is_storable_id, transaction
from api.errors import NotFound, ValidationFailed
from api.media import images
from api.media.service import discard, require_placement_alt, store_checked
from api.principal import Principal
from api.solutions import service
from api.solutions.service import SolutionFileView, file_keys
from api.solutions.tables import Solution, SolutionFile
from api.text import clean
from storage import ObjectStore

MAX_IMAGES = 6
MAX_BROCHURES = 3
MAX_TITLE = 200
LIMITS = {"image": MAX_IMAGES, "brochure": MAX_BROCHURES}
IMAGE_TYPES = frozenset(content_type for content_type, _, _ in images.IMAGE_TYPES.values())
PDF_TYPES = frozenset({images.PDF_TYPE[0]})
NOT_FOUND = "指定されたファイルは見つかりませんでした。"
REFUSALS = {
    "image": "画像（JPEG・PNG・WebP・GIF）のファイルを選んでください。",
    "brochure": "パンフレットはPDFのファイルを選んでください。",
}
FULL = {
    "image": f"画像は{MAX_IMAGES}枚まで登録できます。追加するには、先にほかの画像を削除してください。",
    "brochure": f"パンフレットは{MAX_BROCHURES}つまで登録できます。追加するには、先にほかのパンフレットを削除してください。",
}


def _text(kind: str, text: object) -> tuple[str, str]:
    """(alt_text, title): an image needs its alternative text, a brochure may have a title."""
    value = clean(text, MAX_TITLE)
    if kind == "image":
        return require_placement_alt(str(text or ""), "alt_text"), ""
    if len(value) > MAX_TITLE:
        raise ValidationFailed({"title": f"表示名は{MAX_TITLE}文字以内で入力してください。"})
    return "", "".join(ch for ch in value if ch.isprintable())


async def _count(solution_id: int, kind: str) -> int:
    return await SolutionFile.count().where(
        (SolutionFile.solution == solution_id) & (SolutionFile.kind == kind)
    )


async def add_file(
    actor: Principal,
    store: ObjectStore,
    solution_id: int,
    kind: str,
    file_name: str,
    source: BinaryIO,
    text: object = "",
) -> SolutionFileView:
    """Check and store an image or a brochure of one of the actor's organisation's solutions."""
    if kind not in LIMITS:
        raise ValidationFailed({"kind": "画像かパンフレット（PDF）かを選んでください。"})
    solution = await service.get_own_solution(actor, solution_id)
    alt_text, title = _text(kind, text)
    if await _count(solution_id, kind) >= LIMITS[kind]:
        raise ValidationFailed({"file": FULL[kind]})
    upload = await store_checked(
        store, file_name, source, prefix="solutions",
        content_types=IMAGE_TYPES if kind == "image" else PDF_TYPES, refusal=REFUSALS[kind],
    )  # fmt: skip
    try:
        async with transaction():
            # Counted again inside the transaction: two uploads at once make no seventh image.
            if await _count(solution_id, kind) >= LIMITS[kind]:
                raise ValidationFailed({"file": FULL[kind]})
            last = (
                await SolutionFile.select(SolutionFile.position)
                .where(SolutionFile.solution == solution_id)
                .order_by(SolutionFile.position, ascending=False)
                .first()
            )
            rows = await SolutionFile.insert(
                SolutionFile(
                    solution=solution_id, kind=kind,
                    position=(last["position"] + 1) if last else 0,
                    storage_key=upload.storage_key, file_name=upload.file_name,
                    content_type=upload.content_type, size=upload.size, width=upload.width,
                    height=upload.height, alt_text=alt_text, title=title,
                    renditions=json.dumps(upload.renditions),
                )
            ).returning(SolutionFile.id)  # fmt: skip
            file_id = rows[0]["id"]
            await Solution.update({Solution.updated_at: clock.now()}).where(
                Solution.id == solution_id
            )
            await record(
                actor, "solutions.file_add", "solution", solution_id,
                target_label=solution.title,
                after={"file": file_id, "kind": kind, "name": upload.file_name,
                       "size": upload.size},
            )  # fmt: skip
    except BaseException:
        await discard(store, upload.keys)
        raise
    return await _get(solution_id, file_id)


async def _get(solution_id: int, file_id: int) -> SolutionFileView:
    row: dict[str, Any] | None = None
    if is_storable_id(file_id) and is_storable_id(solution_id):
        row = (
            await SolutionFile.select()
            .where((SolutionFile.id == file_id) & (SolutionFile.solution == solution_id))
            .first()
        )
    if row is None:
        raise NotFound(NOT_FOUND)
    return service.files_view(row)


async def update_file(
    actor: Principal, solution_id: int, file_id: int, text: object
) -> SolutionFileView:
    """Change an image's alternative text or a brochure's title."""
    solution = await service.get_own_solution(actor, solution_id)
    before = await _get(solution_id, file_id)
    alt_text, title = _text(before.kind, text)
    async with transaction():
        await SolutionFile.update(
            {SolutionFile.alt_text: alt_text, SolutionFile.title: title}
        ).where(SolutionFile.id == file_id)
        await Solution.update({Solution.updated_at: clock.now()}).where(Solution.id == solution_id)
        await record(
            actor, "solutions.file_update", "solution", solution_id, target_label=solution.title,
            before={"file": file_id, "alt_text": before.alt_text, "title": before.title},
            after={"file": file_id, "alt_text": alt_text, "title": title},
        )  # fmt: skip
    return await _get(solution_id, file_id)


async def delete_file(actor: Principal, store: ObjectStore, solution_id: int, file_id: int) -> None:
    solution = await service.get_own_solution(actor, solution_id)
    before = await _get(solution_id, file_id)
    async with transaction():
        await SolutionFile.delete().where(SolutionFile.id == file_id)
        await Solution.update({Solution.updated_at: clock.now()}).where(Solution.id == solution_id)
        await record(actor, "solutions.file_delete", "solution", solution_id,
                     target_label=solution.title,
                     before={"file": file_id, "name": before.file_name})  # fmt: skip
    await discard(store, file_keys(before))


async def readable_file(principal: Principal, solution_id: int, file_id: int) -> SolutionFileView:
    """A file of a solution the reader may see (the same rule as the solution's page)."""
    await service.get_solution(principal, solution_id)
    return await _get(solution_id, file_id)
