"""manage.py evaluate_similarity: the one-line result, the metrics on sets with a known answer, and
errors that say what is wrong with a file. No database."""

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lvzhi.opinions.similarity import Document, Match
from lvzhi.opinions.similarity_eval import LabelledSetError, evaluate, parse_labelled

LINE = re.compile(
    r"^precision@1 (\d\.\d\d), recall@5 (\d\.\d\d), queries (\d+), corpus (\d+), median query ms (\d+\.\d)$"
)

SMALL = {
    "reports": [
        {
            "id": "s1",
            "title": "关于青石镇中心小学门前交通拥堵的建议",
            "body": "青石镇中心小学门前的青龙路放学时接送车辆拥堵，建议安装减速带、设接送区。",
            "cluster": "school",
        },
        {
            "id": "s2",
            "title": "关于青龙路学生安全的建议",
            "body": "青石镇青龙路中心小学门口家长车辆乱停，孩子过马路危险，希望画斑马线。",
            "cluster": "school",
        },
        {
            "id": "f1",
            "title": "关于宏发养猪场污染柳溪河的建议",
            "body": "柳溪镇宏发养猪场粪水直排柳溪河，河水发臭，建议环保执法、扩建沼气池。",
            "cluster": "farm",
        },
        {
            "id": "f2",
            "title": "关于柳溪河水体发黑发臭的建议",
            "body": "柳溪河下游村民反映，宏发养猪场的粪污流进河里，鱼虾绝迹，请督促整改。",
            "cluster": "farm",
        },
        {
            "id": "d1",
            "title": "关于白沙镇公交班次的建议",
            "body": "白沙镇至县城的12路公交每天只有四班，建议增加班次。",
            "cluster": None,
        },
    ]
}


def run(*args):
    out = StringIO()
    call_command("evaluate_similarity", *args, stdout=out)
    return out.getvalue()


def write(tmp_path, data, name="set.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_it_prints_one_line_with_the_figures(tmp_path):
    output = run(write(tmp_path, SMALL))
    assert output.count("\n") == 1
    match = LINE.match(output.strip())
    assert match, output
    assert match.group(1, 2, 3, 4) == ("1.00", "1.00", "4", "5")


def test_mix_adds_made_up_reports_to_the_corpus(tmp_path):
    match = LINE.match(run(write(tmp_path, SMALL), "--mix", "40").strip())
    assert match.group(3, 4) == ("4", "45")


class StubIndex:
    """Answers fixed rankings, to check the metrics' arithmetic."""

    def __init__(self, rankings):
        self.rankings = rankings

    def top(self, query, k=5, exclude_ids=()):
        return [Match(i, 0.5) for i in self.rankings[query.id][:k]]


def labelled(clusters):
    return parse_labelled(
        {"reports": [{"id": i, "title": i, "body": i, "cluster": c} for i, c in clusters.items()]}
    )


def test_the_metrics_of_a_known_answer():
    # a1..a4 one cluster (3 mates each), b1..b2 another (1 mate), x a distractor.
    reports = labelled({"a1": "a", "a2": "a", "a3": "a", "a4": "a", "b1": "b", "b2": "b", "x": None})
    rankings = {
        "a1": ["a2", "a3", "a4", "x", "b1"],  # p@1 1, recall 3/3
        "a2": ["x", "a1", "b1", "b2", "a3"],  # p@1 0, recall 2/3
        "a3": ["a1", "x", "b1", "b2", "a2", "a4"],  # p@1 1, recall 2/3 (a4 is sixth)
        "a4": ["x", "b1", "b2", "a1", "a2"],  # p@1 0, recall 2/3
        "b1": ["b2"],  # p@1 1, recall 1
        "b2": ["a1", "a2", "a3", "a4", "x"],  # p@1 0, recall 0
    }
    result = evaluate(reports, build=lambda documents: StubIndex(rankings))
    assert result.queries == 6
    assert result.corpus == 7
    assert result.precision_at_1 == pytest.approx(3 / 6)
    assert result.recall_at_5 == pytest.approx((1 + 2 / 3 + 2 / 3 + 2 / 3 + 1 + 0) / 6)
    assert result.line().startswith("precision@1 0.50, recall@5 0.67, queries 6, corpus 7, median query ms ")


def test_a_cluster_of_one_is_no_query_but_stays_in_the_corpus():
    reports = labelled({"a1": "a", "a2": "a", "lonely": "z"})
    rankings = {"a1": ["lonely", "a2"], "a2": ["a1"]}
    result = evaluate(reports, [Document("g1", "t", "b")], build=lambda documents: StubIndex(rankings))
    assert (result.queries, result.corpus) == (2, 4)
    assert result.precision_at_1 == pytest.approx(0.5)
    assert result.recall_at_5 == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", "not valid JSON (line 1, column 2)"),
        ([], 'must be an object with a "reports" list'),
        ({"reports": [{"id": "a", "title": "t"}]}, "report 1: 缺少字段 / missing field(s): body"),
        (
            {
                "reports": [
                    {"id": "a", "title": "t", "body": "b", "cluster": "c"},
                    {"id": "a", "title": "t", "body": "b"},
                ]
            },
            "duplicate id 'a'",
        ),
        ({"reports": [{"id": "a", "title": 3, "body": "b"}]}, "title must be a string"),
        (
            {"reports": [{"id": "a", "title": "t", "body": "b", "cluster": ["c"]}]},
            "cluster must be a string or null",
        ),
        (
            {"reports": [{"id": "a", "title": "t", "body": "b", "cluster": "c"}]},
            "no cluster has two or more reports",
        ),
        ({"reports": []}, "the reports list is empty"),
    ],
)
def test_a_bad_file_is_refused_saying_what_is_wrong(tmp_path, content, says):
    path = write(tmp_path, content if isinstance(content, str) else content)
    with pytest.raises(CommandError, match=re.escape(says)):
        run(path)


def test_a_missing_file_and_a_negative_mix_are_refused(tmp_path):
    with pytest.raises(CommandError, match="file not found"):
        run(str(tmp_path / "nope.json"))
    with pytest.raises(CommandError, match="--mix must be 0 or more"):
        run(write(tmp_path, SMALL), "--mix", "-1")


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "gbk.json"
    path.write_bytes('{"reports": [{"id": "a", "title": "青石镇", "body": "b"}]}'.encode("gbk"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run(str(path))


def test_parse_errors_are_value_errors():
    with pytest.raises(LabelledSetError):
        parse_labelled({"reports": "no"})
