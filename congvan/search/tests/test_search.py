"""One suite for both engines (SQLite FTS5 and PostgreSQL tsvector): CI runs it on each."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from congvan.orgs.tests.support import released
from congvan.search import queries
from congvan.search.indexer import index_pending

CS1, CS2 = "000.01.01.H57", "000.01.02.H57"


# These also read the page apart (the statements are the same whatever the query): the others once.
BOTH_WAYS = {
    "test_diacritic_free_queries_match",
    "test_filters",
    "test_broad_queries_find_what_the_person_sees_beyond_what_others_see",
    "test_only_visible_documents_are_found",
}


@pytest.fixture(autouse=True, params=["shown with the matches", "shown read apart"])
def shown(request, monkeypatch):
    """What a result shows read with few matches, and (for the tests of BOTH_WAYS) read for the page
    apart."""
    if request.param == "shown read apart":
        if request.node.originalname not in BOTH_WAYS:
            pytest.skip("read apart by the tests of BOTH_WAYS")
        monkeypatch.setattr(queries, "INLINE", -1)


@pytest.fixture
def corpus(api):
    released(api, [CS1], subject="Kế hoạch chuyển đổi số năm 2026 của Đảng ủy")
    released(api, [CS1], subject="Báo cáo công tác thủy lợi và phòng chống thiên tai", type="BC")
    released(api, [CS2], subject="Văn bản hướng dẫn về hoà giải ở cơ sở", type="HD")
    released(api, [CS1], subject="Thông báo van ban moi khong dau", type="TB")
    api["carol"].create_draft(subject="Dự thảo chuyển đổi số chưa ban hành")
    index_pending()
    return api


def subjects(api, who, q, **params):
    r = api[who].get("/search", q=q, **params)
    assert r.status_code == 200, r.content
    return [x["subject"] for x in r.json()["results"]]


def test_diacritic_free_queries_match(corpus):
    assert subjects(corpus, "dan", "chuyen doi so") == ["Kế hoạch chuyển đổi số năm 2026 của Đảng ủy"]
    assert subjects(corpus, "dan", "dang uy") == ["Kế hoạch chuyển đổi số năm 2026 của Đảng ủy"]


def test_both_tone_placements_match(corpus):
    assert subjects(corpus, "alice", "hòa giải") == ["Văn bản hướng dẫn về hoà giải ở cơ sở"]
    assert subjects(corpus, "alice", "thuỷ lợi") == ["Báo cáo công tác thủy lợi và phòng chống thiên tai"]


def test_exact_diacritics_rank_above_folded_matches(corpus):
    found = subjects(corpus, "alice", "văn bản hòa")[:1] + subjects(corpus, "alice", "văn bản")
    assert found[0] == found[1] == "Văn bản hướng dẫn về hoà giải ở cơ sở"
    assert found.index("Thông báo van ban moi khong dau") > 1


def test_phrase_prefix_symbol_and_number(corpus):
    assert subjects(corpus, "dan", '"chuyển đổi số"') == ["Kế hoạch chuyển đổi số năm 2026 của Đảng ủy"]
    assert subjects(corpus, "dan", '"số chuyển đổi"') == []
    assert subjects(corpus, "alice", "thiên ta*") == ["Báo cáo công tác thủy lợi và phòng chống thiên tai"]
    # a phrase ending in a prefix, diacritics or not; words in another order are not the phrase
    assert subjects(corpus, "alice", "chong-thien-ta*") == [
        "Báo cáo công tác thủy lợi và phòng chống thiên tai"
    ]
    assert subjects(corpus, "alice", '"phòng chống thiên tai"') == [
        "Báo cáo công tác thủy lợi và phòng chống thiên tai"
    ]
    assert subjects(corpus, "alice", '"thiên tai phòng chống"') == []
    assert subjects(corpus, "alice", "01-KH/HU") == ["Kế hoạch chuyển đổi số năm 2026 của Đảng ủy"]
    # a number in the subject; the released files carry their date too ("ngày 04/12/2026"), so in the
    # year of the run every released document has the year in its text
    assert "Kế hoạch chuyển đổi số năm 2026 của Đảng ủy" in subjects(corpus, "dan", "2026")


def test_only_visible_documents_are_found(corpus):
    assert subjects(corpus, "erin", "chuyen doi so") == []  # cell 2 did not receive it
    assert subjects(corpus, "erin", "hoa giai") == ["Văn bản hướng dẫn về hoà giải ở cơ sở"]
    assert subjects(corpus, "gina", "van ban") == []  # another organisation entirely
    # The draft is the drafter's (and the unit's clerk's), not a recipient's.
    assert "Dự thảo chuyển đổi số chưa ban hành" in subjects(corpus, "carol", "du thao")
    assert subjects(corpus, "dan", "du thao") == []


def test_filters(corpus):
    assert subjects(corpus, "dan", "van ban", type="TB") == ["Thông báo van ban moi khong dau"]
    assert subjects(corpus, "dan", "chuyen doi so", direction="out") == []
    assert len(subjects(corpus, "dan", "chuyen doi so", direction="in")) == 1
    assert subjects(corpus, "alice", "du thao", state="released") == []
    assert subjects(corpus, "alice", "van ban", issuer="000.00.00.T58") == []
    assert subjects(corpus, "alice", "van ban", date_from="2000-01-01", date_to="2000-12-31") == []


def test_snippets_mark_matches_and_escape_text(api):
    released(api, [CS1], subject="<b>Đảng</b> ủy chỉ đạo")
    index_pending()
    [hit] = api["alice"].get("/search", q="dang").json()["results"]
    assert hit["snippet"].startswith("&lt;b&gt;<mark>Đảng</mark>&lt;/b&gt;")


def test_edited_drafts_are_reindexed(api):
    doc = api["carol"].create_draft(subject="Tên cũ").json()["id"]
    index_pending()
    import json

    api["carol"].client.patch(
        f"/api/v1/documents/{doc}",
        json.dumps({"subject": "Tên mới hoàn toàn"}),
        content_type="application/json",
        headers=api["carol"].headers(),
    )
    assert index_pending() == 1
    assert subjects(api, "carol", "ten moi") == ["Tên mới hoàn toàn"]
    assert subjects(api, "carol", "ten cu") == []


@pytest.mark.parametrize("q", ["", "   ", '""', "!!!", "x" * 501])
def test_bad_queries_are_refused(api, q):
    r = api["alice"].get("/search", q=q)
    assert r.status_code == 400 and "error" in r.json()


def test_hostile_query_syntax_is_just_text(corpus):
    for q in ["NEAR(a b)", 'exact : "x"', "a OR b AND NOT c", "'; DROP TABLE x; --", "(((", "*"]:
        r = corpus["alice"].get("/search", q=q)
        assert r.status_code in (200, 400), (q, r.content)


def test_reindex_command_rebuilds_with_progress(corpus, capsys):
    out = io.StringIO()
    call_command("reindex", "--restart", stdout=out)
    assert "Đã lập chỉ mục" in out.getvalue()
    assert subjects(corpus, "alice", "chuyen doi so")


def test_broad_queries_list_exact_matches_first_then_newest(corpus, monkeypatch):
    monkeypatch.setattr(queries, "BROAD", 2)  # every query here is "broad"
    found = subjects(corpus, "alice", "văn bản")
    assert found[0] == "Văn bản hướng dẫn về hoà giải ở cơ sở"  # the exact spelling comes first
    assert "Thông báo van ban moi khong dau" in found
    # typed without marks: no spelling to put first, newest first
    released(corpus, [CS1], subject="Văn bản mới nhất, có dấu")
    index_pending()
    unmarked = subjects(corpus, "alice", "van ban")
    assert unmarked[0] == "Văn bản mới nhất, có dấu"
    assert unmarked.index("Thông báo van ban moi khong dau") < unmarked.index(
        "Văn bản hướng dẫn về hoà giải ở cơ sở"
    )
    assert subjects(corpus, "erin", "chuyen doi so") == []  # still only what the person may see


def test_broad_queries_find_what_the_person_sees_beyond_what_others_see(corpus, monkeypatch):
    """The visibility and the filters are conditions of the engine's statement: newer matches that
    the person may not see (or that the filters drop) do not push theirs out of a capped list."""
    monkeypatch.setattr(queries, "BROAD", 1)
    monkeypatch.setattr(queries, "BROAD_HITS", 1)
    for i in range(3):  # newer matches, for cell 1 only
        released(corpus, [CS1], subject=f"Văn bản mới số {i} cho chi bộ 1")
    index_pending()
    assert subjects(corpus, "erin", "van ban") == ["Văn bản hướng dẫn về hoà giải ở cơ sở"]
    assert subjects(corpus, "alice", "van ban", type="HD") == ["Văn bản hướng dẫn về hoà giải ở cơ sở"]
    assert subjects(corpus, "alice", "van ban", issuer="000.00.01.H57", type="TB") == [
        "Thông báo van ban moi khong dau"
    ]
    assert subjects(corpus, "alice", "van ban", type="NOSUCH") == []


def test_full_width_queries_find_the_plain_text(corpus):
    """Typed on an East Asian keyboard, "ｔｈｕỷ ｌợｉ" is "thuỷ lợi"."""
    assert subjects(corpus, "alice", "ｔｈｕỷ ｌợｉ") == [
        "Báo cáo công tác thủy lợi và phòng chống thiên tai"
    ]
    assert subjects(corpus, "alice", "ＴＨＵＹ ＬＯＩ") == [
        "Báo cáo công tác thủy lợi và phòng chống thiên tai"
    ]
