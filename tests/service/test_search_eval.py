"""The judged set of Japanese queries (tests/fixtures/search_judged.json) on the embedded backend:
its recall@10 must not fall below what the README records, and the set's file is checked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from api.searching.evaluation import JudgedSet, JudgedSetInvalid, QueryOutcome, evaluate
from api.searching.reference import DEFAULT_SYNONYMS
from search.embedded import EmbeddedSearch

ROOT = Path(__file__).resolve().parents[2]
JUDGED = ROOT / "tests" / "fixtures" / "search_judged.json"


def recorded_recall() -> float:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"^\| embedded \(SQLite FTS5, lindera\) \| ([0-9.]+) \|", readme, re.M)
    assert found, "the README records the embedded backend's recall@10"
    return float(found.group(1))


async def test_recall_does_not_fall_below_the_readme(tmp_path: Path) -> None:
    judged = JudgedSet.of(json.loads(JUDGED.read_text(encoding="utf-8")))
    assert len(judged.queries) >= 40
    backend = EmbeddedSearch(tmp_path / "search.sqlite3")
    try:
        result = await evaluate(backend, judged, DEFAULT_SYNONYMS)
    finally:
        await backend.close()
    misses = {o.q: o.missed for o in result.outcomes if o.missed}
    assert round(result.recall, 3) >= recorded_recall(), misses
    assert result.unanswerable_empty[0] == result.unanswerable_empty[1]


def test_the_metrics() -> None:
    outcome = QueryOutcome("q", ["x", "a", "y", "b"], ("a", "b", "c"))
    assert outcome.recall == pytest.approx(2 / 3)
    assert outcome.reciprocal_rank == 0.5
    assert outcome.missed == ["c"]
    assert 0 < outcome.ndcg < 1
    assert QueryOutcome("q", ["a"], ("a",)).ndcg == 1.0


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"documents": [{"id": "1"}], "queries": [{"q": "x"}]},
        {"documents": [{"id": "1", "title": "t", "type": "news"}], "queries": [{"q": "x"}]},
        {"documents": [{"id": "1", "title": "t", "type": "solution"}],
         "queries": [{"q": "x", "relevant": ["2"]}]},
        {"documents": [{"id": "1", "title": "t", "type": "solution"}], "queries": []},
    ],
)  # fmt: skip
def test_a_malformed_judged_set_is_refused_with_its_reason(data: object) -> None:
    with pytest.raises(JudgedSetInvalid):
        JudgedSet.of(data)
