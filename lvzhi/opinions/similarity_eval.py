"""Precision@1 and recall@5 of similar-report detection on a labelled set.

A labelled set is ``{"reports": [{"id", "title", "body", "cluster"}]}``; reports with the same
``cluster`` raise the same issue (rewrites by different authors), ``cluster: null`` marks a report of
no cluster (a distractor). Every report whose cluster has at least one other member is a query against
all the other reports (and any extra documents mixed in), through ``SimilarityIndex.build`` and
``index.top`` — the code path of the editors' page — with nothing fitted on the labels:

- precision@1: the share of queries whose first result is a cluster-mate;
- recall@5: for each query, the cluster-mates found in its first five results divided by the number
  of its cluster-mates (at most five), averaged over the queries.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .similarity import Document, SimilarityIndex


class LabelledSetError(ValueError):
    """A labelled file that cannot be read; the message says what is wrong, in Chinese and English."""


@dataclass(frozen=True)
class Labelled:
    document: Document
    cluster: str | None


@dataclass(frozen=True)
class Result:
    precision_at_1: float
    recall_at_5: float
    queries: int
    corpus: int
    median_ms: float
    p95_ms: float
    build_seconds: float

    def line(self) -> str:
        return (
            f"precision@1 {self.precision_at_1:.2f}, recall@5 {self.recall_at_5:.2f}, "
            f"queries {self.queries}, corpus {self.corpus}, median query ms {self.median_ms:.1f}"
        )


def load_labelled(path: str | Path) -> list[Labelled]:
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LabelledSetError(f"找不到文件 / file not found: {path}") from None
    except UnicodeDecodeError:
        raise LabelledSetError(f"文件不是 UTF-8 编码 / {path} is not UTF-8 text") from None
    except OSError as exc:
        raise LabelledSetError(f"无法读取文件 / cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise LabelledSetError(
            f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）/ not valid JSON "
            f"(line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    return parse_labelled(data)


def parse_labelled(data: object) -> list[Labelled]:
    if not isinstance(data, dict) or not isinstance(data.get("reports"), list):
        raise LabelledSetError(
            '顶层应为 {"reports": [...]} / the top level must be an object with a "reports" list'
        )
    out: list[Labelled] = []
    seen: set[str] = set()
    for n, item in enumerate(data["reports"], 1):
        where = f"第 {n} 条报告 / report {n}"
        if not isinstance(item, dict):
            raise LabelledSetError(f"{where}: 应为对象 / must be an object with id, title, body, cluster")
        missing = [key for key in ("id", "title", "body") if key not in item]
        if missing:
            raise LabelledSetError(f"{where}: 缺少字段 / missing field(s): {', '.join(missing)}")
        report_id = item["id"]
        if not isinstance(report_id, str | int) or isinstance(report_id, bool):
            raise LabelledSetError(f"{where}: id 应为字符串或整数 / id must be a string or an integer")
        if str(report_id) in seen:
            raise LabelledSetError(f"{where}: id 重复 / duplicate id {report_id!r}")
        seen.add(str(report_id))
        for key in ("title", "body"):
            if not isinstance(item[key], str):
                raise LabelledSetError(f"{where} ({report_id}): {key} 应为字符串 / {key} must be a string")
        if not (item["title"].strip() or item["body"].strip()):
            raise LabelledSetError(f"{where} ({report_id}): 标题和正文都为空 / title and body are both empty")
        cluster = item.get("cluster")
        if cluster is not None and not isinstance(cluster, str | int):
            raise LabelledSetError(
                f"{where} ({report_id}): cluster 应为字符串或 null / cluster must be a string or null"
            )
        out.append(
            Labelled(
                Document(str(report_id), item["title"], item["body"]),
                None if cluster is None else str(cluster),
            )
        )
    if not out:
        raise LabelledSetError("reports 为空 / the reports list is empty")
    sizes = Counter(label.cluster for label in out if label.cluster is not None)
    if not any(size >= 2 for size in sizes.values()):
        raise LabelledSetError(
            "没有任何包含两篇以上报告的 cluster，无从评估 / no cluster has two or more reports: nothing to evaluate"
        )
    return out


def evaluate(
    labelled: Sequence[Labelled],
    extra: Iterable[Document] = (),
    *,
    build: Callable[[Iterable[Document]], SimilarityIndex] = SimilarityIndex.build,
    k: int = 5,
) -> Result:
    """Query every clustered report against all other documents; see the module's docstring."""
    documents = [label.document for label in labelled] + list(extra)
    started = time.perf_counter()
    index = build(documents)
    build_seconds = time.perf_counter() - started
    members: dict[str, set[object]] = {}
    for label in labelled:
        if label.cluster is not None:
            members.setdefault(label.cluster, set()).add(label.document.id)
    hits_at_1 = 0
    recalls: list[float] = []
    times: list[float] = []
    for label in labelled:
        if label.cluster is None or len(members[label.cluster]) < 2:
            continue
        mates = members[label.cluster] - {label.document.id}
        started = time.perf_counter()
        matches = index.top(label.document, k=k, exclude_ids=(label.document.id,))
        times.append((time.perf_counter() - started) * 1000)
        found = [m.id for m in matches]
        hits_at_1 += bool(found) and found[0] in mates
        recalls.append(len(mates.intersection(found[:k])) / min(len(mates), k))
    queries = len(recalls)
    return Result(
        precision_at_1=hits_at_1 / queries,
        recall_at_5=sum(recalls) / queries,
        queries=queries,
        corpus=len(documents),
        median_ms=statistics.median(times),
        p95_ms=sorted(times)[max(0, round(0.95 * len(times)) - 1)],
        build_seconds=build_seconds,
    )
