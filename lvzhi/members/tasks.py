"""Background tasks (Django Tasks API; the worker is `manage.py db_worker`)."""

from django_tasks import task

from . import import_jobs


@task()
def check_roster(job_id):
    with import_jobs.failing_on_crash(job_id):
        import_jobs.run_check(job_id)


@task()
def import_roster(job_id, actor_id):
    with import_jobs.failing_on_crash(job_id):
        import_jobs.run_import(job_id, actor_id)
