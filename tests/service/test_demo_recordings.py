"""Demo recordings: two short MP4 videos made at first start (PyAV), with captions, chapters and a
transcript, published to members of the seminars already held; a restart only looks."""

from __future__ import annotations

import io

import pytest

from api.demo import load_demo_content
from api.demo_recordings import DEMO_RECORDINGS, captions_of
from api.recordings.captions import parse_captions
from api.recordings.tables import Recording
from api.settings import Settings
from storage import open_store
from tests.querycount import count_queries


@pytest.fixture(autouse=True)
def _without_demo_articles(monkeypatch: pytest.MonkeyPatch) -> None:
    async def nothing(*args: object, **kwargs: object) -> int:
        return 0

    monkeypatch.setattr("api.demo.load_demo_articles", nothing)
    monkeypatch.setattr("api.demo.load_demo_solutions", nothing)


async def test_demo_recordings_are_real_videos_with_captions_and_published(
    settings: Settings, db: None
) -> None:
    import av

    await load_demo_content(settings)
    rows = await Recording.select().order_by(Recording.id)
    assert [row["title"] for row in rows] == [plan.title for plan in DEMO_RECORDINGS]
    assert {row["state"] for row in rows} == {"published"}
    store = open_store(settings.storage_url, settings.data_dir)
    for row in rows:
        data = await store.read_all(row["storage_key"])
        with av.open(io.BytesIO(data)) as container:
            assert container.streams.video[0].codec_context.name == "h264"
            assert round(container.duration / 1_000_000) == row["duration_seconds"] == 12
        assert len(parse_captions(row["captions"])) == 3 and row["transcript"]
    with count_queries() as again:
        await load_demo_content(settings)
    assert await Recording.count() == len(DEMO_RECORDINGS) and again.count <= 9


def test_demo_captions_are_valid_webvtt() -> None:
    for plan in DEMO_RECORDINGS:
        assert [cue.text for cue in parse_captions(captions_of(plan))] == list(plan.lines)
