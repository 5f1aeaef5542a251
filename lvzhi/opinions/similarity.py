"""Similar 社情民意 reports: which earlier reports raise the same issue as this one.

A pure engine over ``Document(id, title, body)``: it needs no model and no database, so the editors'
page, the ``evaluate_similarity`` command and the benchmark all call the same two functions,
``SimilarityIndex.build(documents)`` and ``index.top(query, k)``.

Why not plain word overlap: the same issue rewritten by another member shares little wording beyond
who/where/what — the town, the road, the school gate, the bus line, the farm — while two reports on
different issues share the whole vocabulary of the genre (建议, 问题, 群众反映, 有关部门, 加强……).
So each report becomes a TF-IDF vector of

- words (jieba, precise mode), without the genre's boilerplate and function words;
- character bigrams inside runs of such content words: fictional or rare place names are segmented
  inconsistently (青石/镇 in one report, 青石镇 in another), their bigrams are not;
- "names": a run of content characters that ends in a place or object suffix (镇, 村, 路, 小学, 水库,
  卫生院, 公交 line numbers…) is one more feature, weighted up — who/where/what;

with the title counted twice (authors put the place and the object in the title), sublinear term
frequencies, inverse document frequencies from the indexed reports themselves (nothing is fitted on
labels) and cosine similarity. The index is an inverted file in numpy arrays: a query touches only the
postings of its own features.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = ["Document", "Match", "SimilarityIndex", "analyze", "highlight"]


@dataclass(frozen=True)
class Document:
    id: object
    title: str
    body: str


@dataclass(frozen=True)
class Match:
    id: object
    score: float  # cosine similarity, 0..1
    shared: list[str] = field(default_factory=list)  # passages and terms worth highlighting


def _words(text: str) -> list[str]:
    return text.split()


# Words that every report of the genre uses, whatever its issue, and function words. A word here is
# neither a feature nor a reason to highlight. General Chinese and the genre's style, not the
# evaluation set: nothing in it names a place or an object.
BOILERPLATE = frozenset(
    _words("""
    关于 建议 意见 问题 情况 分析 存在 原因 主要 方面 一是 二是 三是 四是 五是 第一 第二 第三 第四 第五
    群众 反映 反应 强烈 意见 较大 较多 普遍 突出 严重 日益 有关 部门 有关部门 相关 相关部门 政府 县里 镇里
    乡里 单位 加强 加大 进一步 推进 推动 落实 完善 健全 建立 建设 实施 开展 提升 提高 做好 抓好 切实
    尽快 及时 认真 积极 全面 有效 力度 工作 机制 制度 措施 办法 方案 工程 项目 重点 要求 需要 必须
    应当 应该 可以 能够 不断 持续 长效 常态 常态化 统筹 协调 保障 确保 解决 破解 缓解 改善 优化
    规范 治理 整治 管理 服务 发展 实现 形成 引导 鼓励 支持 给予 提供 组织 负责 牵头 配合 联合
    各级 地方 当地 我县 全县 县城 我们 他们 大家 自己 这个 那个 这些 那些 这样 那样 这里 那里 其中
    目前 当前 现在 近年来 近年 近来 近期 今年 去年 每年 多年 以来 以后 以前 之后 之前 同时 此外 另外
    因此 所以 但是 但 而且 并且 以及 或者 还是 如果 由于 因为 为了 为此 对于 通过 根据 按照 进行
    已经 正在 一直 始终 还有 没有 不是 就是 也是 都是 一些 一个 一定 一批 一次 一种 多次 几个 许多
    很多 不少 部分 大量 较为 十分 非常 比较 更加 尤其 特别 主要是 一方面 另一方面 真正 根本 彻底
    基本 基本上 总体 整体 具体 相应 适当 合理 科学 有序 严格 依法 明确 专项 专门 日常 定期 及早
    """)
)

# A run of content characters ending in one of these is a name of a place or an object (镇, 路, 小学,
# 水库…): the feature that most often tells two reports on one issue from two on one topic.
NAME_SUFFIXES = _words(
    "街道 社区 小区 花园 宿舍 镇 乡 村 组 街 路 大道 巷 桥 河 沟 江 湖 水库 山 岭 湾 岩 坪 "
    "小学 中学 学校 幼儿园 医院 卫生院 卫生室 市场 广场 公园 园区 工业园 车站 客运站 水厂 养殖场 "
    "养猪场 加工厂 厂 站 线 公交 县道 省道 国道"
)

_SPLIT = re.compile(r"[^\u4e00-\u9fff0-9A-Za-z]+")

# Feature weights (multiplying the sublinear term frequency before IDF).
_WORD = 1.0
_BIGRAM = 0.6
_NAME = 1.0
_NAME_BIGRAM = 0.5
_TITLE_REPEAT = 2
# The score is (1 - ENTITY_SHARE) × cosine of the content vectors (words and bigrams) + ENTITY_SHARE ×
# cosine of the names vectors (places and named objects, and their bigrams): a report in another town
# on the same topic, even in the same words, loses the names' half. Round values set by hand, not
# searched for: the bench prints the figures with other values beside them.
ENTITY_SHARE = 0.5
FEEDBACK = 0.5
TOWN_MISMATCH = 0.5
NAME_GATE = 0.2
NAME_IDF_POWER = 2.0
_ENTITY_KINDS = frozenset("nmr")

_jieba_lock = threading.Lock()
_jieba = None


def _segmenter():
    """jieba, loaded once (its dictionary takes about a second) and quiet."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                # jieba writes to a handler of its own on stderr; its records go to our handlers
                # instead, which mask personal data (core.log_filters) like every other log line.
                for handler in list(jieba.default_logger.handlers):
                    jieba.default_logger.removeHandler(handler)
                jieba.initialize()
                _jieba = jieba
    return _jieba


_tags_table: dict[str, str] | None = None


def _tags() -> dict[str, str]:
    """jieba's dictionary of part-of-speech tags (word → tag), loaded once."""
    global _tags_table
    if _tags_table is None:
        _segmenter()
        with _jieba_lock:
            if _tags_table is None:
                import jieba.posseg

                _tags_table = jieba.posseg.dt.word_tag_tab
    return _tags_table


# Characters that say which level or which one, not which place: 县人民医院, 镇卫生院, 该村, 全乡.
_GENERIC_PREFIX = frozenset("县镇乡村市省区该本全各我这那两此每附近周边原新老")


# Suffixes by their last character, longest first: a word ending in another character is no name.
_SUFFIXES_BY_LAST: dict[str, list[str]] = {}
for _suffix in sorted(NAME_SUFFIXES, key=len, reverse=True):
    _SUFFIXES_BY_LAST.setdefault(_suffix[-1], []).append(_suffix)


def _specific_part(name: str) -> str:
    """What tells this place from others of its kind: 青石镇 → 青石, 镇卫生院 → "" (no name)."""
    suffix = next((s for s in _SUFFIXES_BY_LAST.get(name[-1:], ()) if name.endswith(s)), "")
    prefix = name[: len(name) - len(suffix)] if suffix else ""
    while prefix and prefix[0] in _GENERIC_PREFIX:
        prefix = prefix[1:]
    return prefix if len(prefix) >= 2 else ""


def _sentences(text: str) -> list[list[str]]:
    """The text cut at punctuation, each piece segmented by jieba (precise mode)."""
    jieba = _segmenter()
    return [jieba.lcut(sentence, HMM=True) for sentence in _SPLIT.split(text) if sentence]


def _content_runs(text: str, sentences: list[list[str]] | None = None) -> list[list[str]]:
    """Runs of consecutive content words, cut at punctuation, boilerplate and function words."""
    runs: list[list[str]] = []
    for words in _sentences(text) if sentences is None else sentences:
        run: list[str] = []
        for word in words:
            if word in BOILERPLATE or (len(word) == 1 and word in _FUNCTION_CHARS):
                if run:
                    runs.append(run)
                run = []
            else:
                run.append(word)
        if run:
            runs.append(run)
    return runs


# Single characters that join or qualify rather than name (的, 了, 在, 和…): they end a content run.
_FUNCTION_CHARS = frozenset(
    "的了在和与及或是有为把被从向到至于对将也都就还又很更最已并而且其之这那个些等着过吗呢吧啊要会能让给使由以"
)


def analyze(title: str, body: str) -> Counter[str]:
    """The weighted features of one report (before IDF): words, content bigrams, names."""
    features: Counter[str] = Counter()
    for text, times in ((title, _TITLE_REPEAT), (body, 1)):
        counts: Counter[str] = Counter()
        sentences = _sentences(text)
        for a, b in _routes(sentences):
            counts["r" + "|".join(sorted((a, b)))] = 1
            if ROUTE_ENDS:
                for end in (a, b):
                    for i in range(len(end) - 1):
                        counts["m" + end[i : i + 2]] += 1
        for run in _content_runs(text, sentences):
            for word in run:
                if len(word) >= 2:
                    counts["w" + word] += 1
            joined = "".join(run)
            for i in range(len(joined) - 1):
                counts["b" + joined[i : i + 2]] += 1
            for town in _towns(run):
                counts["t" + town] = 1
            for name, specific in _names(run):
                counts["n" + name] += 1
                for i in range(len(specific) - 1):
                    counts["m" + specific[i : i + 2]] += 1
        for key, n in counts.items():
            features[key] += n * times
    return features


def _names(run: list[str]) -> Iterable[tuple[str, str]]:
    """Names in a run of words, with their specific part: a word ending in a place or object suffix
    with the one or two words before it (青石+镇, 青龙+路), when something tells it from the others of
    its kind (镇卫生院, 该村 are no names)."""
    for end in range(len(run)):
        if run[end][-1] not in _SUFFIXES_BY_LAST:
            continue
        for start in (end - 1, end - 2, end):
            if start < 0 or (start < end and len(run[start]) == 1 and "\u4e00" <= run[start] <= "\u9fff"):
                continue  # 去+镇卫生院: a name does not start with a one-character word
            candidate = "".join(run[start : end + 1])
            specific = _specific_part(candidate) if len(candidate) <= 8 else ""
            if specific:
                yield candidate, specific
                break


_TOWN_SUFFIXES = ("镇", "乡", "街道")
_ROUTE_LINKS = frozenset("到至往")
_PLACE_SUFFIXES = ("街道", "社区", "镇", "乡", "村", "县")
ROUTE_ENDS = True


# jieba's part-of-speech tags of a place or a proper name (a word jieba does not know is usually one).
_PLACE_TAGS = frozenset({"ns", "nr", "nrt", "nz", "nt", "s", None})


def _route_end(word: str) -> str:
    """A word that can end a route (白沙镇, 柳溪, 鹿角岩), as its core (白沙镇 → 白沙), or "":
    a place name, or a word that ends in a place or object suffix (城东工业园, 火车站), not a verb,
    a time or a common noun (延伸到, 八点到十一点, 孩子到水库)."""
    if word in BOILERPLATE or not all("\u4e00" <= ch <= "\u9fff" for ch in word):
        return ""
    if word[-1] not in _SUFFIXES_BY_LAST and _tags().get(word) not in _PLACE_TAGS:
        return ""
    for suffix in _PLACE_SUFFIXES:
        if word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word if 2 <= len(word) <= 4 else ""


def _routes(sentences: list[list[str]]) -> Iterable[tuple[str, str]]:
    """Routes named as "A到B", "A至B" (白沙镇至柳溪镇, 白沙到柳溪的班车): a bus line, a road, a
    pipeline between two places is an object of its own, whatever the report calls it otherwise."""
    for words in sentences:
        for i in range(1, len(words) - 1):
            if words[i] in _ROUTE_LINKS:
                a, b = _route_end(words[i - 1]), _route_end(words[i + 1])
                if a and b and a != b:
                    yield a, b


def _towns(run: list[str]) -> Iterable[str]:
    """Towns (镇, 乡, 街道) named in a run of words: 柳溪镇, or 青石 + 镇."""
    for i, word in enumerate(run):
        if word.endswith(_TOWN_SUFFIXES) and len(word) >= 3 and word not in _TOWN_SUFFIXES:
            yield word
        elif word in _TOWN_SUFFIXES and i > 0 and len(run[i - 1]) == 2:
            yield run[i - 1] + word


def _weights(features: Counter[str]) -> dict[str, float]:
    out = {}
    for key, tf in features.items():
        kind = key[0]
        if kind == "t":
            out[key] = 1.0  # a town named: not in the vectors, see SimilarityIndex.town_mismatch
            continue
        scale = {"w": _WORD, "b": _BIGRAM, "n": _NAME, "m": _NAME_BIGRAM, "r": _NAME}[kind]
        out[key] = scale * (1.0 + math.log(tf))
    return out


class SimilarityIndex:
    """An inverted index of TF-IDF vectors; ``top`` ranks documents by cosine similarity."""

    entity_share = ENTITY_SHARE
    feedback = FEEDBACK
    town_mismatch = TOWN_MISMATCH
    name_gate = NAME_GATE
    name_idf_power = NAME_IDF_POWER
    _towns: dict[str, np.ndarray] = {}
    _has_town: np.ndarray = np.zeros(0, dtype=bool)

    def __init__(self, ids, texts, vocabulary, idf, postings_ptr, postings_doc, postings_weight):
        self.ids = ids
        self.texts = texts  # (title, body) per document, for the shared passages
        self.vocabulary = vocabulary  # feature -> column
        self.idf = idf
        self._ptr = postings_ptr
        self._doc = postings_doc
        self._weight = postings_weight
        self._position = {doc_id: i for i, doc_id in enumerate(ids)}

    @staticmethod
    def features(title: str, body: str) -> dict[str, float]:
        """A report's weighted features before IDF (a subclass may count others, as the bench does)."""
        return _weights(analyze(title, body))

    @staticmethod
    def inverse_document_frequency(df: int, n: int) -> float:
        """Smoothed IDF over the indexed reports (a feature the index has not seen: df 0)."""
        return math.log((n + 1) / (df + 1)) + 1.0

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def build(cls, documents: Iterable[Document]) -> SimilarityIndex:
        ids: list[object] = []
        texts: list[tuple[str, str]] = []
        analysed: list[dict[str, float]] = []
        df: Counter[str] = Counter()
        towns: dict[str, list[int]] = {}
        for position, doc in enumerate(documents):
            ids.append(doc.id)
            texts.append((doc.title or "", doc.body or ""))
            weights = cls.features(doc.title or "", doc.body or "")
            for key in [key for key in weights if key[0] == "t"]:
                towns.setdefault(key, []).append(position)
                del weights[key]
            analysed.append(weights)
            df.update(weights.keys())
        n = len(ids)
        vocabulary = {key: i for i, key in enumerate(sorted(df))}
        idf = np.zeros(len(vocabulary), dtype=np.float32)
        for key, i in vocabulary.items():
            idf[i] = cls.inverse_document_frequency(df[key], n) ** (
                cls.name_idf_power if key[0] in _ENTITY_KINDS else 1.0
            )
        # Document vectors, L2-normalised, written column by column (feature -> postings).
        counts = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        for weights in analysed:
            for key in weights:
                counts[vocabulary[key] + 1] += 1
        ptr = np.cumsum(counts)
        fill = ptr[:-1].copy()
        docs = np.empty(int(ptr[-1]), dtype=np.int32)
        values = np.empty(int(ptr[-1]), dtype=np.float32)
        for d, weights in enumerate(analysed):
            cols = [vocabulary[key] for key in weights]
            vec = np.fromiter(weights.values(), dtype=np.float32, count=len(cols)) * idf[cols]
            entity = np.fromiter((key[0] in _ENTITY_KINDS for key in weights), dtype=bool, count=len(cols))
            vec[entity] /= float(np.linalg.norm(vec[entity])) or 1.0
            vec[~entity] /= float(np.linalg.norm(vec[~entity])) or 1.0
            for col, value in zip(cols, vec, strict=True):
                slot = fill[col]
                docs[slot] = d
                values[slot] = value
                fill[col] += 1
        index = cls(ids, texts, vocabulary, idf, ptr, docs, values)
        index._towns = {town: np.asarray(positions, dtype=np.int64) for town, positions in towns.items()}
        index._has_town = np.zeros(n, dtype=bool)
        for positions in index._towns.values():
            index._has_town[positions] = True
        return index

    def _query_vector(self, query: Document):
        weights = self.features(query.title or "", query.body or "")
        towns = [key for key in weights if key[0] == "t"]
        for key in towns:
            del weights[key]
        cols, vals, entity = [], [], []
        # Features unknown to the index count in the query's norms (with the IDF of a feature seen
        # once), so a query that shares one word out of a hundred scores low.
        squares = [0.0, 0.0]
        for key, w in weights.items():
            group = key[0] in _ENTITY_KINDS
            col = self.vocabulary.get(key)
            idf = (
                float(self.idf[col])
                if col is not None
                else self.inverse_document_frequency(0, len(self.ids))
                ** (self.name_idf_power if group else 1.0)
            )
            value = w * idf
            squares[group] += value * value
            if col is not None:
                cols.append(col)
                vals.append(value)
                entity.append(group)
        vec = np.asarray(vals, dtype=np.float32)
        mask = np.asarray(entity, dtype=bool)
        vec[mask] /= math.sqrt(squares[1]) or 1.0
        vec[~mask] /= math.sqrt(squares[0]) or 1.0
        return np.asarray(cols, dtype=np.int64), vec, mask, towns

    def _cosines(self, cols: np.ndarray, vec: np.ndarray) -> np.ndarray:
        starts, ends = self._ptr[cols], self._ptr[cols + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        if not total:
            return np.zeros(len(self.ids), dtype=np.float64)
        # Gather every posting of the query's features in one go.
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        weights = self._weight[offsets] * np.repeat(vec, lengths)
        return np.bincount(self._doc[offsets], weights=weights, minlength=len(self.ids))

    def scores(self, query: Document) -> np.ndarray:
        """Similarity of the query with every indexed document (in index order), 0..1."""
        cols, vec, entity, towns = self._query_vector(query)
        if not len(self.ids) or not len(cols):
            return np.zeros(len(self.ids), dtype=np.float64)
        content = self._cosines(cols[~entity], vec[~entity])
        names = self._cosines(cols[entity], vec[entity])
        # Names count in full once the content is as close as a rewrite's usually is (``name_gate``),
        # less below: the same estate with another issue shares the names, not the content.
        if self.name_gate:
            names = names * np.minimum(1.0, content / self.name_gate)
        scores = (1.0 - self.entity_share) * content + self.entity_share * names
        if towns and self.town_mismatch != 1.0:
            # Both name towns and none is the same: two places, two issues.
            elsewhere = self._has_town.copy()
            for town in towns:
                if town in self._towns:
                    elsewhere[self._towns[town]] = False
            scores[elsewhere] *= self.town_mismatch
        return scores

    def top(self, query: Document, k: int = 5, exclude_ids: Iterable[object] = ()) -> list[Match]:
        """The k most similar documents, best first, without the excluded ids and the query itself.

        The best match is the document most similar to the query. The others are ranked by their
        similarity to the query plus ``feedback`` × their similarity to that best match (pseudo-
        relevance feedback): a rewrite that shares little with the query but much with another
        rewrite still comes up. ``Match.score`` is always the similarity to the query.
        """
        if not len(self.ids) or k <= 0:
            return []
        excluded = [self._position[i] for i in {*exclude_ids, query.id} if i in self._position]
        scores = self.scores(query)
        scores[excluded] = -1.0
        ranking = scores
        first = int(np.argmax(scores))
        if self.feedback and scores[first] > 0.0 and len(self.ids) > 2:
            title, body = self.texts[first]
            ranking = scores + self.feedback * self.scores(Document(None, title, body))
            ranking[scores <= 0.0] = -1.0  # nothing in common with the query: never shown
            ranking[first] = np.inf
        want = min(len(ranking), k)
        best = np.argpartition(-ranking, want - 1)[:want] if want < len(ranking) else np.arange(len(ranking))
        best = best[np.lexsort((best, -ranking[best]))]
        matches = []
        for i in best:
            score = float(scores[i])
            if score <= 0.0:
                continue
            title, body = self.texts[i]
            matches.append(
                Match(
                    id=self.ids[i],
                    score=min(1.0, score),
                    shared=shared_passages(f"{query.title}\n{query.body}", f"{title}\n{body}"),
                )
            )
        return matches


def _significant(passage: str) -> bool:
    """A passage worth highlighting holds a content word of two characters or more."""
    return any(len(run_word) >= 2 for run in _content_runs(passage) for run_word in run)


def shared_passages(a: str, b: str, *, min_length: int = 2, limit: int = 12) -> list[str]:
    """Maximal substrings of ``a`` that also occur in ``b``, longest first, without boilerplate.

    Passages are cut at punctuation; a passage made only of the genre's words (有关部门, 的建议) or
    shorter than ``min_length`` is dropped, and so is one contained in a longer one already kept.
    """
    found: set[str] = set()
    for piece in _SPLIT.split(a):
        reached = 0  # end of the last passage kept: one ending there or before is inside it
        for i in range(len(piece) - min_length + 1):
            j = i + min_length
            if piece[i:j] not in b:
                continue
            while j < len(piece) and piece[i : j + 1] in b:
                j += 1
            if j > reached:
                found.add(piece[i:j])
                reached = j
    kept: list[str] = []
    for passage in sorted(found, key=lambda p: (-len(p), p)):
        if any(passage in longer for longer in kept):
            continue
        trimmed = _trim(passage)
        if len(trimmed) >= min_length and _significant(trimmed) and not any(trimmed in k for k in kept):
            kept.append(trimmed)
        if len(kept) >= limit:
            break
    return kept


def _trim(passage: str) -> str:
    """Drop the genre's words and function characters at either end (关于治理白沙镇 → 白沙镇)."""
    words = _segmenter().lcut(passage, HMM=True)

    def dull(word: str) -> bool:
        return word in BOILERPLATE or all(ch in _FUNCTION_CHARS for ch in word)

    while words and dull(words[0]):
        words.pop(0)
    while words and dull(words[-1]):
        words.pop()
    return "".join(words)


def highlight(text: str, shared: Sequence[str]) -> SafeString:
    """The text escaped for HTML, with every occurrence of a shared passage wrapped in <mark>."""
    passages = sorted({p for p in shared if p}, key=len, reverse=True)
    if not passages:
        return mark_safe(escape(text))  # noqa: S308 - escaped just now
    pattern = re.compile("|".join(re.escape(p) for p in passages))
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        out.append(escape(text[pos : m.start()]))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        pos = m.end()
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped above
