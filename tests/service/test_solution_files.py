"""A solution's images and PDF brochures: checked by content and size, alternative text
required, limits of six and three, only the own organisation changes them, members read them
while they may read the solution, and nothing is left in the store on failure or deletion."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from api.errors import NotFound, ValidationFailed
from api.media import images
from api.settings import Settings
from api.solutions import files
from api.solutions import service as solutions
from storage.local import LocalObjectStore
from tests.service.test_media import EXECUTABLE, jpeg_with_gps, office_bytes, pdf_bytes, png_bytes
from tests.service.test_solutions import signed_in, solution_input
from tests.service.test_solutions import world as world


@pytest.fixture
def store(tmp_path: Path) -> LocalObjectStore:
    return LocalObjectStore(tmp_path / "objects")


async def made(settings: Settings) -> int:
    owner = await signed_in(settings, "aso@example.jp")
    return (await solutions.create_solution(owner, await solution_input())).id


async def add(
    settings, store, solution_id, kind, name, data, text="画面の例", email="aso@example.jp"
):  # type: ignore[no-untyped-def]
    actor = await signed_in(settings, email)
    return await files.add_file(actor, store, solution_id, kind, name, io.BytesIO(data), text)


async def refusal(
    settings, store, solution_id, kind, name, data, text="画面の例"
) -> dict[str, str]:  # type: ignore[no-untyped-def]
    before = await store.keys("solutions/")
    with pytest.raises(ValidationFailed) as caught:
        await add(settings, store, solution_id, kind, name, data, text)
    assert await store.keys("solutions/") == before  # nothing is left behind
    return caught.value.errors


async def test_image_is_cleaned_and_served_to_members(
    settings: Settings, world: dict[str, int], store: LocalObjectStore
) -> None:
    solution_id = await made(settings)
    image = await add(
        settings, store, solution_id, "image", "写真.jpg", jpeg_with_gps(), "打刻画面"
    )
    assert image.alt_text == "打刻画面" and image.file_name == "写真.jpg"
    assert [r["width"] for r in image.renditions] == [320, 640, 1280]
    original = Image.open(io.BytesIO(await store.read_all(image.storage_key)))
    assert not original.getexif()  # no EXIF, no GPS
    reader = await signed_in(settings, "kikuchi@example.jp")
    seen = await solutions.get_solution(reader, solution_id)
    assert [f.id for f in seen.images] == [image.id] and seen.brochures == []
    assert seen.images[0].src().endswith("/640") and "320w" in seen.images[0].srcset
    assert (await files.readable_file(reader, solution_id, image.id)).id == image.id


async def test_brochure_is_a_pdf_with_its_type_and_size_in_the_link_text(
    settings: Settings, world: dict[str, int], store: LocalObjectStore
) -> None:
    solution_id = await made(settings)
    brochure = await add(
        settings, store, solution_id, "brochure", "案内.pdf", pdf_bytes(2048), "製品案内"
    )
    assert brochure.link_text == "製品案内（PDF、2KB）"
    errors = await refusal(settings, store, solution_id, "brochure", "案内.pdf", png_bytes())
    assert "PDF" in errors["file"]


@pytest.mark.parametrize(
    ("kind", "name", "data"),
    [
        ("image", "virus.jpg", EXECUTABLE),
        ("image", "doc.png", pdf_bytes()),
        ("image", "report.docx", office_bytes()),
        ("brochure", "fake.pdf", b"%PDF-1.4 truncated"),
        ("brochure", "tool.pdf", EXECUTABLE),
        ("image", "empty.png", b""),
    ],
)
async def test_files_are_refused_by_content(
    settings: Settings, world: dict[str, int], store: LocalObjectStore, kind: str, name: str,
    data: bytes,
) -> None:  # fmt: skip
    solution_id = await made(settings)
    assert "file" in await refusal(settings, store, solution_id, kind, name, data)


async def test_too_large_files_are_refused(
    settings: Settings, world: dict[str, int], store: LocalObjectStore
) -> None:
    solution_id = await made(settings)
    errors = await refusal(
        settings, store, solution_id, "brochure", "big.pdf", pdf_bytes(images.MAX_UPLOAD_BYTES + 1)
    )
    assert "MB" in errors["file"]


async def test_an_image_needs_its_alternative_text(
    settings: Settings, world: dict[str, int], store: LocalObjectStore
) -> None:
    solution_id = await made(settings)
    errors = await refusal(settings, store, solution_id, "image", "a.png", png_bytes(), text=" ")
    assert "alt_text" in errors


async def test_at_most_six_images_and_three_brochures(
    settings: Settings, world: dict[str, int], store: LocalObjectStore
) -> None:
    solution_id = await made(settings)
    for index in range(files.MAX_IMAGES):
        await add(
            settings, store, solution_id, "image", f"{index}.png", png_bytes(40, 30), f"画像{index}"
        )
    before = await store.keys("solutions/")
    with pytest.raises(ValidationFailed) as caught:
        await add(settings, store, solution_id, "image", "7.png", png_bytes(40, 30))
    assert "6枚" in caught.value.errors["file"]
    assert await store.keys("solutions/") == before
    for index in range(files.MAX_BROCHURES):
        await add(settings, store, solution_id, "brochure", f"{index}.pdf", pdf_bytes(), "")
    with pytest.raises(ValidationFailed):
        await add(settings, store, solution_id, "brochure", "4.pdf", pdf_bytes(), "")


async def test_only_the_own_organisation_changes_files(
    settings: Settings, world: dict[str, int], store: LocalObjectStore
) -> None:
    solution_id = await made(settings)
    image = await add(settings, store, solution_id, "image", "a.png", png_bytes(), "説明")
    intruder = await signed_in(settings, "kikuchi@example.jp")
    with pytest.raises(NotFound):
        await files.add_file(
            intruder, store, solution_id, "image", "b.png", io.BytesIO(png_bytes()), "x"
        )
    with pytest.raises(NotFound):
        await files.update_file(intruder, solution_id, image.id, "乗っ取り")
    with pytest.raises(NotFound):
        await files.delete_file(intruder, store, solution_id, image.id)
    owner = await signed_in(settings, "aso-user@example.jp")
    updated = await files.update_file(owner, solution_id, image.id, "新しい説明")
    assert updated.alt_text == "新しい説明"
    with pytest.raises(ValidationFailed):
        await files.update_file(owner, solution_id, image.id, "")


async def test_hidden_solutions_files_are_not_readable_by_others(
    settings: Settings, world: dict[str, int], store: LocalObjectStore
) -> None:
    solution_id = await made(settings)
    image = await add(settings, store, solution_id, "image", "a.png", png_bytes(), "説明")
    owner = await signed_in(settings, "aso@example.jp")
    await solutions.set_provider_hidden(owner, solution_id, True)
    reader = await signed_in(settings, "kikuchi@example.jp")
    with pytest.raises(NotFound):
        await files.readable_file(reader, solution_id, image.id)
    with pytest.raises(NotFound):  # a file id of another solution
        await files.readable_file(owner, solution_id + 1, image.id)


async def test_deleting_files_and_solutions_empties_the_store(
    settings: Settings, world: dict[str, int], store: LocalObjectStore
) -> None:
    solution_id = await made(settings)
    owner = await signed_in(settings, "aso@example.jp")
    image = await add(settings, store, solution_id, "image", "a.png", png_bytes(), "説明")
    await add(settings, store, solution_id, "brochure", "b.pdf", pdf_bytes(), "")
    await files.delete_file(owner, store, solution_id, image.id)
    assert len(await store.keys("solutions/")) == 1
    await solutions.delete_solution(owner, solution_id, store)
    assert await store.keys("solutions/") == []
