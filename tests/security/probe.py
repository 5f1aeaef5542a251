"""One request of the walk and everything checked about it.

A request runs inside a savepoint (so that a database error, which on PostgreSQL aborts the whole
transaction, leaves the next check working) with every SQL statement recorded, and with every log record
of every logger captured at DEBUG. The checks then read the outcome: status, unescaped payloads, personal
data in the body, headers and logs, and the tables written.
"""

import copy
import functools
import io
import logging
import re
import traceback
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, models, transaction

from lvzhi.organization.models import Committee

from .hostile import UNESCAPED

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
# Tables a refused request may legitimately write: the session (idle timer, messages), the audit log
# (every denial is recorded), failed sign-ins and lockouts, and rate-limit counters.
BOOKKEEPING = ("django_session", "core_audit", "accounts_loginfailure", "accounts_lockout", "axes_")


class Capture(logging.Handler):
    """Every log record of the walk, whatever the logger. A record is judged as the configured handlers
    would write it, through the filters every handler of settings.LOGGING carries (they mask ID and
    mobile numbers); those run only on a record that holds a number, so that the walk stays fast."""

    def __init__(self, filters):
        super().__init__(level=0)
        self.redactors = list(filters)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def taken(self):
        """The records so far, apart from the ones still to come."""
        kept = Capture(self.redactors)
        kept.records = list(self.records)
        return kept

    @staticmethod
    def text(record):
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string is still a record to read
            text = f"{record.msg!r} {record.args!r}"
        if record.exc_text:
            text += f" | {record.exc_text}"
        elif record.exc_info and record.exc_info[1] is not None:
            text += f" | {record.exc_info[1]!r}"
        return text

    def leaks(self, secrets):
        """(logger, secret) for every number a record would still carry once written."""
        found = []
        for record in self.records:
            raw = self.text(record)
            hits = [s for s in secrets if s in raw]
            if not hits:
                continue
            written = copy.copy(record)
            for redactor in self.redactors:
                redactor.filter(written)
            if written.exc_info and not written.exc_text:
                written.exc_text = logging.Formatter().formatException(written.exc_info)
            text = self.text(written)
            found += [(record.name, s) for s in hits if s in text]
        return found


def start_capture():
    """Capture every logger at DEBUG; returns (handler, a function that undoes it)."""
    loggers = [logging.getLogger()] + [
        logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    configured = [h for logger in loggers for h in logger.handlers]
    handler = Capture({type(f): f for h in configured for f in h.filters}.values())
    saved = []
    for logger in loggers:
        # Records reach the root's handlers unless a logger stops them: those get the handler too.
        attach = logger is logging.root or not logger.propagate
        saved.append((logger, logger.level, attach))
        logger.setLevel(0)
        if attach:
            logger.addHandler(handler)
    # The configured handlers keep printing what they would print without the walk's DEBUG level.
    handler_levels = [(h, h.level) for h in configured]
    for h, level in handler_levels:
        h.setLevel(max(level, logging.WARNING))

    def stop():
        for logger, level, attach in saved:
            logger.setLevel(level)
            if attach:
                logger.removeHandler(handler)
        for h, level in handler_levels:
            h.setLevel(level)

    return handler, stop


@dataclass
class Outcome:
    method: str
    url: str
    response: object
    text: str
    statements: list = field(default_factory=list)
    capture: object = None

    @property
    def status(self):
        return self.response.status_code

    @property
    def written_tables(self):
        tables = []
        for sql in self.statements:
            match = WRITE.match(sql)
            if match and not match.group(1).lower().startswith(BOOKKEEPING):
                tables.append(match.group(1).lower())
        return sorted(set(tables))

    def describe(self):
        return f"{self.method} {self.url[:200]} → {self.status}"

    def exception(self):
        """The exception behind a 500: its type and message and the innermost line of lvzhi code."""
        info = getattr(self.response, "exc_info", None)
        if not info:
            return "(no exception recorded)"
        frames = [
            f
            for f in traceback.extract_tb(info[2])
            if "/lvzhi/" in f.filename and "/.venv/" not in f.filename
        ]
        where = (
            f"{frames[-1].filename.split('/lvzhi/', 1)[-1]}:{frames[-1].lineno} {frames[-1].line}"
            if frames
            else ""
        )
        return f"{info[0].__name__}: {str(info[1])[:300]} at lvzhi/{where}"


def _zip_text(content):
    """The text of every part of a zip download (xlsx, docx), where a spreadsheet's cells really are."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode(errors="replace") for name in archive.namelist())
    except zipfile.BadZipFile:
        return ""


def send(client, method, url, *, data=None, query=None, capture, headers=None):
    statements = []

    def record_sql(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    capture.records.clear()
    savepoint = transaction.savepoint()
    with connection.execute_wrapper(record_sql):
        if method == "GET":
            response = client.get(url, query or {}, headers=headers)
        else:
            response = client.post(url, data or {}, headers=headers)
        content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.status_code >= 500:
        # The failed statement may have broken the transaction (PostgreSQL): back to before the request.
        transaction.set_rollback(False)
        transaction.savepoint_rollback(savepoint)
    else:
        transaction.savepoint_commit(savepoint)
    text = content.decode(errors="replace")
    if content[:4] == b"PK\x03\x04":
        text += _zip_text(content)
    return Outcome(method, url, response, text, statements, capture.taken())


def problems(outcome, *, secrets, personal_data_allowed=False):
    """What is wrong with any response: a server error, unescaped HTML, a full ID or phone number."""
    found = []
    if outcome.status >= 500:
        found.append(f"server error: {outcome.exception()}")
    content_type = outcome.response.get("Content-Type", "")
    if content_type.startswith("text/html"):
        for payload in UNESCAPED:
            if payload in outcome.text:
                found.append(f"unescaped HTML in the page: {payload}")
    header_text = "\n".join(f"{k}: {v}" for k, v in outcome.response.items())
    for secret in secrets:
        if not personal_data_allowed and secret in outcome.text:
            found.append(f"full ID/phone number {secret[:3]}… in the response body")
        if secret in header_text:
            found.append(f"full ID/phone number {secret[:3]}… in a response header")
    for logger, secret in outcome.capture.leaks(secrets):
        found.append(f"full ID/phone number {secret[:3]}… in a log record of {logger}")
    return found


def refusal_problems(outcome):
    """A refused request must not have written anything but bookkeeping."""
    written = outcome.written_tables
    return [f"refused request wrote to {', '.join(written)}"] if written else []


# --- rows of a scope, to prove that a request changed nothing outside the actor's reach -------------


@functools.cache
def committee_path(model):
    return _committee_path(model)


def _committee_path(model, depth=0, seen=()):
    if model is Committee:
        return "pk"
    if depth > 3 or model in seen:
        return None
    best = None
    for f in model._meta.get_fields():
        if isinstance(f, models.ForeignKey | models.OneToOneField) and f.concrete:
            target = f.related_model
            if target is Committee:
                return f.name
            sub = _committee_path(target, depth + 1, (*seen, model))
            if sub and (best is None or sub.count("__") + 1 < best.count("__")):
                best = f"{f.name}__{sub}"
    return best


def our_models():
    """Every model of lvzhi's own apps (a new app is watched from its first model on)."""
    result = []
    for config in apps.get_app_configs():
        if config.name.startswith("lvzhi."):
            result.extend(config.get_models(include_auto_created=True))
    return result


TABLES = {}


def table_models():
    if not TABLES:
        for model in apps.get_models(include_auto_created=True):
            TABLES[model._meta.db_table.lower()] = model
    return TABLES


def committee_rows(committee, models_=None):
    """Every row of our models that belongs to `committee` (through its foreign keys)."""
    rows = {}
    for model in models_ if models_ is not None else our_models():
        path = committee_path(model)
        if path is None or model._meta.db_table.lower().startswith(BOOKKEEPING):
            continue
        key = "pk" if path == "pk" else path
        rows[model._meta.label] = list(model.objects.filter(**{key: committee.pk}).order_by("pk").values())
    return rows


def side_objects(side):
    """The model instances a side of the world names."""
    return [value for value in vars(side).values() if isinstance(value, models.Model)]


def object_rows(objects, models_=None):
    """The rows of the given model instances, by model."""
    by_model = defaultdict(set)
    for obj in objects:
        by_model[type(obj)].add(obj.pk)
    return {
        model._meta.label: list(model.objects.filter(pk__in=pks).order_by("pk").values())
        for model, pks in by_model.items()
        if models_ is None or model in models_
    }


def models_of(tables):
    known = table_models()
    return {known[t] for t in tables if t in known}
