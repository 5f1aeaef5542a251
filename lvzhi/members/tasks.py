"""Background tasks (Django Tasks API; the worker is `manage.py db_worker`).

The pages queue them through the *_when_committed functions, once the step that needs them is in the
database; import_jobs, which the tasks run, does not import this module.
"""

from django.db import transaction
from django_tasks import task

from . import import_jobs


@task()
def check_roster(job_id):
    with import_jobs.on_behalf_of_starter(job_id):
        import_jobs.run_check(job_id)


@task()
def import_roster(job_id, actor_id):
    with import_jobs.on_behalf_of_starter(job_id):
        import_jobs.run_import(job_id, actor_id)


def check_when_committed(job):
    transaction.on_commit(lambda: check_roster.enqueue(job.pk))


def import_when_committed(job, actor):
    transaction.on_commit(lambda: import_roster.enqueue(job.pk, actor.pk))
