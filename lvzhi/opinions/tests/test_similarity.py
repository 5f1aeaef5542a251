"""The similar-report engine: rewrites found, near-topic distractors below them, shared passages,
escaped highlighting, and the edges (empty index, nothing in common, excluded ids). No database."""

import pytest

from lvzhi.opinions.search import query_words, search_text
from lvzhi.opinions.similarity import Document, Match, SimilarityIndex, highlight, shared_passages
from lvzhi.opinions.similarity_corpus import generate

ORIGINAL = Document(
    "a1",
    "关于缓解青石镇中心小学校门口上下学交通拥堵的建议",
    "青石镇中心小学大门直接开在青龙路上，放学时接送学生的电动车和私家车在路两侧随意停放，"
    "青龙路堵成一锅粥。建议在学校门前施划斑马线、安装减速带，利用对面空地设接送停车区。",
)
REWRITE = Document(
    "a2",
    "关于青石镇青龙路学校路段交通安全的建议",
    "我是青石镇的家长，每天送孩子去中心小学，最怕青龙路那一段：家长的车把路占掉一大半，"
    "拉砂石的大车也堵在中间，孩子从车缝里钻出来。希望装减速带、画人行横道，高峰期派人站岗。",
)
# The same topic in the same words, at another town's school on another road.
OTHER_SCHOOL = Document(
    "b1",
    "关于缓解柳溪镇实验小学校门口上下学交通拥堵的建议",
    "柳溪镇实验小学大门直接开在柳河大道上，放学时接送学生的电动车和私家车在路两侧随意停放，"
    "道路拥堵。建议在学校门前施划斑马线、安装减速带，设置接送停车区。",
)
FARM = Document(
    "c1",
    "关于治理白沙镇养殖场粪污直排白沙河的建议",
    "白沙镇兴旺养殖场存栏生猪两千头，雨季粪水直接流入白沙河，河水发黑发臭。建议环保部门专项执法，"
    "督促企业扩建沼气池，推动粪肥还田。",
)
BUS = Document(
    "d1",
    "关于延伸8路公交线路至城东工业园的建议",
    "8路公交车终点在人民医院，城东工业园五千名职工上下班只能骑电动车。建议8路公交延伸至工业园区，"
    "加密早晚班次。",
)
CORPUS = [ORIGINAL, REWRITE, OTHER_SCHOOL, FARM, BUS, *generate(30, seed=5)]


@pytest.fixture(scope="module")
def index():
    return SimilarityIndex.build(CORPUS)


def test_it_finds_the_rewrite_first_and_the_other_school_below(index):
    matches = index.top(REWRITE, k=5)
    ids = [m.id for m in matches]
    assert ids[0] == "a1"
    assert "b1" in ids and ids.index("b1") > 0
    assert matches[0].score > next(m.score for m in matches if m.id == "b1")


def test_scores_are_between_zero_and_one_best_first(index):
    matches = index.top(ORIGINAL, k=5)
    assert len(matches) == 5
    assert all(isinstance(m, Match) and 0.0 < m.score <= 1.0 for m in matches)
    assert matches[0].score == max(m.score for m in matches)


def test_it_never_returns_the_query_itself_nor_excluded_ids(index):
    assert "a1" not in [m.id for m in index.top(ORIGINAL, k=50)]
    ids = [m.id for m in index.top(ORIGINAL, k=50, exclude_ids=["a2", "zz-unknown"])]
    assert "a2" not in ids and "a1" not in ids
    assert ids[0] == "b1"  # the other school is the next best once the rewrite is excluded


def test_shared_passages_name_the_place_not_the_boilerplate(index):
    shared = index.top(REWRITE, k=1)[0].shared
    assert any("青石镇" in passage for passage in shared)
    assert any("青龙路" in passage for passage in shared)
    assert not {"建议", "关于", "的建议", "有关部门"} & set(shared)


def test_shared_passages_are_longest_first_and_not_nested():
    shared = shared_passages("青石镇中心小学门前的青龙路", "青龙路旁的青石镇中心小学")
    assert shared[0] == "青石镇中心小学"
    assert "青石镇" not in shared  # inside the longer passage
    assert "青龙路" in shared


def test_an_empty_index_finds_nothing():
    empty = SimilarityIndex.build([])
    assert len(empty) == 0
    assert empty.top(ORIGINAL) == []


def test_a_query_with_nothing_in_common_finds_nothing(index):
    assert index.top(Document("x", "Hello", "nothing in common at all"), k=5) == []
    assert index.top(Document("y", "", ""), k=5) == []


def test_k_limits_the_matches(index):
    assert len(index.top(ORIGINAL, k=2)) == 2
    assert index.top(ORIGINAL, k=0) == []


def test_a_one_document_index_works():
    single = SimilarityIndex.build([FARM])
    assert single.top(FARM) == []  # only itself
    assert [m.id for m in single.top(Document(None, "白沙河污染", "白沙镇养殖场粪污"))] == ["c1"]


def test_highlight_escapes_everything_and_marks_shared_passages():
    text = '<script>alert("x")</script> 青石镇 & <b>青龙路</b>'
    html = highlight(text, ["青石镇", "青龙路", "<script>"])
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>青石镇</mark>" in html
    assert "<mark>青龙路</mark>" in html
    assert "&amp;" in html
    assert "<mark>&lt;script&gt;</mark>" in html  # a passage with markup is escaped inside the mark


def test_highlight_without_passages_only_escapes():
    assert str(highlight("<i>x</i>", [])) == "&lt;i&gt;x&lt;/i&gt;"
    assert str(highlight("a\"b'c", [""])) == "a&quot;b&#x27;c"


def test_highlight_prefers_the_longest_passage():
    assert str(highlight("青石镇中心小学", ["青石镇", "青石镇中心小学"])) == "<mark>青石镇中心小学</mark>"


def test_the_generator_is_deterministic_and_varied():
    first = generate(200, seed=7)
    assert first == generate(200, seed=7)
    assert first[:50] == generate(50, seed=7)
    assert first != generate(200, seed=8)
    assert len({d.title for d in first}) > 150
    assert len({d.id for d in first}) == 200
    assert all(80 <= len(d.body) <= 700 for d in first)


def test_search_text_cuts_every_part_for_search():
    text = search_text("关于青石镇中心小学的建议", None, "", "张三", "〔2026〕12号", "Bus")
    words = text.split()
    assert {"青石", "中心", "小学", "张三", "2026", "12", "bus"} <= set(words)
    assert "〔" not in text and "，" not in text


def test_query_words_are_character_pairs_whatever_jieba_cuts():
    assert query_words("中心小学") == ["中心", "心小", "小学"]
    assert query_words("  ") == []
    assert query_words("〔2026〕12 镇") == ["2026", "12", "镇"]
    # every piece of the query is in the stored text of a report that says it, although jieba cuts
    # 小学校 / 门口 there and 校门 / 门口 in the query alone
    stored = set(search_text("青石镇中心小学校门口").split())
    assert set(query_words("中心小学")) <= stored
    assert set(query_words("校门口")) <= stored


def test_a_route_named_by_its_ends_is_one_object():
    from lvzhi.opinions.similarity import analyze

    full = analyze("关于恢复白沙镇至柳溪镇客运班线的建议", "")
    short = analyze("", "白沙到柳溪的班车停了大半年了。")
    assert "r柳溪|白沙" in full and "r柳溪|白沙" in short
    # A verb or a time is no end of a route.
    assert not [k for k in analyze("", "建议公交延伸到工业园，八点到十一点加密班次。") if k[0] == "r"]
