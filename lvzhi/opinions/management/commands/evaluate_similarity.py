"""manage.py evaluate_similarity FILE.json [--mix N] [--seed S]

Measures similar-report detection on a labelled set, through the code path of the editors' page
(``SimilarityIndex.build`` then ``index.top``), with nothing fitted on the file's labels. FILE.json is
``{"reports": [{"id": ..., "title": ..., "body": ..., "cluster": "c01" or null}, ...]}``: every report
whose cluster has another member is a query against all the other reports (with ``--mix N``, also
against N made-up reports from ``similarity_corpus``). Prints one line:

    precision@1 0.xx, recall@5 0.yy, queries Q, corpus C, median query ms M

precision@1: share of queries whose first result is in their cluster; recall@5: cluster-mates found in
the first five results / number of cluster-mates (at most 5), averaged over the queries. No database.
"""

from django.core.management.base import BaseCommand, CommandError

from lvzhi.opinions.similarity_corpus import generate
from lvzhi.opinions.similarity_eval import LabelledSetError, evaluate, load_labelled


class Command(BaseCommand):
    help = "Precision@1 and recall@5 of similar-report detection on a labelled JSON set."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("file", help='labelled set: {"reports": [{"id", "title", "body", "cluster"}]}')
        parser.add_argument("--mix", type=int, default=0, metavar="N", help="also search N made-up reports")
        parser.add_argument(
            "--seed", type=int, default=2026, help="seed of the made-up reports (default 2026)"
        )

    def handle(self, *args, file, mix=0, seed=2026, **options):
        if mix < 0:
            raise CommandError("--mix 不能为负数 / --mix must be 0 or more")
        try:
            labelled = load_labelled(file)
        except LabelledSetError as exc:
            raise CommandError(str(exc)) from exc
        result = evaluate(labelled, generate(mix, seed=seed) if mix else ())
        self.stdout.write(result.line())
