"""Similar 社情民意 reports: precision@1, recall@5, query time and build time of two methods.

    .venv/bin/python bench/opinion_similarity.py                 # the three labelled sets, alone and + 20,000
    .venv/bin/python bench/opinion_similarity.py --mix 5000 --sets main

Methods: the baseline, a plain character-bigram TF-IDF with cosine similarity (what one writes first),
and lvzhi's engine (lvzhi/opinions/similarity.py), through the same SimilarityIndex.build + top as the
editors' page and `manage.py evaluate_similarity`. Each labelled set is measured alone and mixed into
--mix made-up reports (lvzhi/opinions/similarity_corpus.py, seed 2026). For the engine, the main set
also gets a line per part switched off (the index is the same; the parts act at query time). No
database.
"""

import argparse
import os
import re
import resource
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from lvzhi.opinions.similarity import SimilarityIndex  # noqa: E402
from lvzhi.opinions.similarity_corpus import generate  # noqa: E402
from lvzhi.opinions.similarity_eval import evaluate, load_labelled  # noqa: E402

SETS = {
    "main": ROOT / "bench/data/opinion_similarity.json",
    "second": ROOT / "bench/data/opinion_similarity_holdout.json",
    "test": ROOT / "bench/data/opinion_similarity_test.json",
    "unseen": ROOT / "bench/data/opinion_similarity_unseen.json",
}
_SPACE = re.compile(r"\s+")


class BaselineIndex(SimilarityIndex):
    """Character bigrams of title + body, raw counts, smoothed IDF, cosine: nothing else."""

    entity_share = 0.0
    feedback = 0.0
    town_mismatch = 1.0
    name_gate = 0.0

    @staticmethod
    def features(title, body):
        text = _SPACE.sub("", f"{title}{body}")
        return {
            "b" + bigram: float(n)
            for bigram, n in Counter(text[i : i + 2] for i in range(len(text) - 1)).items()
        }


ABLATIONS = [
    ("without feedback", {"feedback": 0.0}),
    ("without town check", {"town_mismatch": 1.0}),
    ("without name gate", {"name_gate": 0.0}),
    ("names 0.3 of score", {"entity_share": 0.3}),
    ("names 0.7 of score", {"entity_share": 0.7}),
    ("content only", {"entity_share": 0.0, "town_mismatch": 1.0, "feedback": 0.0}),
]


def index_megabytes(index):
    arrays = index._ptr.nbytes + index._doc.nbytes + index._weight.nbytes + index.idf.nbytes
    return arrays / 1e6, len(index.vocabulary)


def row(label, method, setting, result, build_seconds=None):
    build = f"{build_seconds if build_seconds is not None else result.build_seconds:8.1f}"
    return (
        f"{label:7s} {method:24s} {setting:>8s} {result.precision_at_1:6.2f} {result.recall_at_5:6.2f} "
        f"{result.queries:5d} {result.corpus:7,d} {result.median_ms:8.1f} {result.p95_ms:7.1f} {build}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mix", type=int, default=20000, help="made-up reports mixed in (default 20,000)")
    parser.add_argument("--sets", nargs="*", default=list(SETS), choices=list(SETS))
    args = parser.parse_args()

    started = time.perf_counter()
    extra = generate(args.mix)
    print(f"made-up reports: {args.mix:,} in {time.perf_counter() - started:.1f} s")
    print()
    print(
        f"{'set':7s} {'method':24s} {'corpus':>8s} {'p@1':>6s} {'r@5':>6s} {'Q':>5s} {'docs':>7s} "
        f"{'med ms':>8s} {'p95 ms':>7s} {'build s':>8s}"
    )
    print("-" * 92)
    summary = {}
    for name in args.sets:
        labelled = load_labelled(SETS[name])
        for method, cls in (("char-bigram TF-IDF", BaselineIndex), ("lvzhi", SimilarityIndex)):
            for setting, mixed in (("alone", ()), (f"+{args.mix:,}", extra)):
                documents = [label.document for label in labelled] + list(mixed)
                built = time.perf_counter()
                index = cls.build(documents)
                build_seconds = time.perf_counter() - built
                result = evaluate(labelled, mixed, build=lambda _documents, index=index: index)
                print(row(name, method, setting, result, build_seconds), flush=True)
                summary[name, method, bool(mixed)] = result
                if mixed and cls is SimilarityIndex:
                    megabytes, vocabulary = index_megabytes(index)
                    summary[name, "size"] = (megabytes, vocabulary)
                if name == "main" and cls is SimilarityIndex:
                    for label, changes in ABLATIONS:
                        variant = type("Variant", (SimilarityIndex,), changes)
                        index.__class__ = variant
                        print(
                            row(
                                name,
                                "  " + label,
                                setting,
                                evaluate(labelled, mixed, build=lambda _d, index=index: index),
                                0.0,
                            )
                        )
                        index.__class__ = SimilarityIndex
        print()
    print(f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    for name in args.sets:
        if (name, "size") in summary:
            megabytes, vocabulary = summary[name, "size"]
            print(
                f"lvzhi index over {name} + {args.mix:,}: {megabytes:.0f} MB of arrays, {vocabulary:,} features"
            )
    print()
    print("ratios, lvzhi / char-bigram baseline:")
    for name in args.sets:
        for mixed in (False, True):
            ours, base = summary[name, "lvzhi", mixed], summary[name, "char-bigram TF-IDF", mixed]
            setting = f"+{args.mix:,}" if mixed else "alone"
            print(
                f"  {name:7s} {setting:>8s}  p@1 {ours.precision_at_1 / base.precision_at_1:5.2f}x  "
                f"r@5 {ours.recall_at_5 / base.recall_at_5:5.2f}x  median query time "
                f"{ours.median_ms / base.median_ms:5.2f}x"
            )
    failed = [
        f"{name} {'mixed' if mixed else 'alone'}"
        for name in args.sets
        for mixed in (False, True)
        if summary[name, "lvzhi", mixed].precision_at_1 < 0.9
        or summary[name, "lvzhi", mixed].recall_at_5 < 0.98
    ]
    slow = [name for name in args.sets if summary[name, "lvzhi", True].p95_ms >= 300]
    print()
    print("targets: precision@1 >= 0.90, recall@5 >= 0.98, p95 query < 300 ms over the mix")
    print("  missed: " + (", ".join(failed + [f"{n} slow" for n in slow]) or "none"))


if __name__ == "__main__":
    main()
