"""Anchors of the audit chain outside the database, and the verification that uses them.

The HMAC chain (models.AuditEvent) shows any edited or removed row, except the newest ones: cut the
tail and what is left is still a valid chain. So every LVZHI_AUDIT_ANCHOR_EVERY rows, and at every
verification, the head of the chain (last row id, row count, last hash) is written, with an HMAC of
its own, where a database writer cannot reach: appended to LVZHI_AUDIT_ANCHOR_FILE (which the backup
takes) and to the log (logger "lvzhi.audit.anchor", which a deployment sends to syslog). The
verification walks the whole chain and then checks every anchor against it: an anchor whose row is
gone, has another hash, or counts more rows than are left means the log was cut or re-chained.
"""

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .crypto import audit_mac
from .models import AuditEvent, AuditVerification

logger = logging.getLogger("lvzhi.audit.anchor")

# What a verification can find, stored in AuditVerification.problem.
ALTERED = "altered"  # a row's content no longer matches its HMAC
UNLINKED = "unlinked"  # a row does not point at the row before it: rows removed or inserted
ANCHOR_MISMATCH = "anchor_mismatch"  # an anchored row is gone or has another hash: cut or re-chained
TRUNCATED = "truncated"  # fewer rows than an anchor counted: the newest rows were removed
ANCHOR_FORGED = "anchor_forged"  # an anchor line whose own HMAC is wrong
ANCHOR_UNREADABLE = "anchor_unreadable"  # the anchor file cannot be read

PROGRESS_EVERY = 5000


def _anchor_mac(anchor):
    return audit_mac(f"anchor:{anchor['last_id']}:{anchor['count']}:{anchor['head']}:{anchor['at']}".encode())


def _anchor_path():
    return Path(settings.LVZHI_AUDIT_ANCHOR_FILE)


def write_anchor(*, last_id, count, head, reason):
    """Append the chain's head to the anchor file and the log. An anchor that cannot be written is
    logged as an error and does not stop the act being audited."""
    anchor = {"at": timezone.now().isoformat(), "last_id": last_id, "count": count, "head": head}
    anchor["mac"] = _anchor_mac(anchor)
    line = json.dumps(anchor, sort_keys=True)
    logger.info("audit anchor (%s) %s", reason, line)
    try:
        path = _anchor_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
    except OSError:
        logger.exception("The audit anchor could not be written to %s", settings.LVZHI_AUDIT_ANCHOR_FILE)
    return anchor


def after_event(head):
    """Called by AuditEvent.save with the new head: anchor every LVZHI_AUDIT_ANCHOR_EVERY rows, once the
    row is committed (a rolled-back row must not be anchored)."""
    every = settings.LVZHI_AUDIT_ANCHOR_EVERY
    if every and head.count % every == 0:
        values = {"last_id": head.last_id, "count": head.count, "head": head.last_hash}
        transaction.on_commit(lambda: write_anchor(reason="periodic", **values))


def last_anchor():
    """The newest anchor in the file (read from its end), or None."""
    path = _anchor_path()
    try:
        with path.open("rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - 4096))
            lines = [line for line in handle.read().splitlines() if line.strip()]
        return json.loads(lines[-1]) if lines else None
    except (OSError, ValueError):
        return None


def read_anchors():
    """The anchors in the file, oldest first; raises OSError/ValueError when the file is unreadable."""
    path = _anchor_path()
    if not path.exists():
        return []
    anchors = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                anchors.append(json.loads(line))
    return anchors


@dataclass
class Finding:
    problem: str = ""
    first_bad_id: int | None = None
    detail: dict = field(default_factory=dict)

    @property
    def intact(self):
        return not self.problem


def _walk_chain(verification, anchored_ids):
    """Walk every row in id order, checking each HMAC and link. Returns (Finding, seen, rows, last):
    `seen` maps each anchored id found to (its hash, rows up to and including it); `last` is the newest
    row's (id, hash). Only anchored rows are remembered, so memory does not grow with the log."""
    prev = ""
    rows = 0
    seen = {}
    last = (0, "")
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        rows += 1
        if event.compute_hash() != event.hash:
            return Finding(ALTERED, event.pk, {"at": event.at.isoformat()}), seen, rows, last
        if event.prev_hash != prev:
            return Finding(UNLINKED, event.pk, {"at": event.at.isoformat()}), seen, rows, last
        if event.pk in anchored_ids:
            seen[event.pk] = (event.hash, rows)
        prev = event.hash
        last = (event.pk, event.hash)
        if rows % PROGRESS_EVERY == 0:
            AuditVerification.objects.filter(pk=verification.pk).update(rows_checked=rows)
    return Finding(), seen, rows, last


def _check_anchors(anchors, seen, rows, last_id):
    for anchor in anchors:
        last, count = int(anchor["last_id"]), int(anchor["count"])
        if count > rows or last > last_id:
            return Finding(TRUNCATED, last_id + 1, {"anchor": anchor, "rows": rows})
        if last not in seen or seen[last] != (anchor["head"], count):
            return Finding(ANCHOR_MISMATCH, last, {"anchor": anchor})
    return Finding()


def _valid_anchors():
    """(anchors, Finding): the anchors of the file, or what is wrong with the file."""
    try:
        anchors = read_anchors()
    except (OSError, ValueError) as exc:
        return [], Finding(ANCHOR_UNREADABLE, None, {"error": str(exc)[:200]})
    for anchor in anchors:
        try:
            genuine = anchor.get("mac") == _anchor_mac(anchor)
            int(anchor["last_id"]), int(anchor["count"])
        except (AttributeError, KeyError, TypeError, ValueError):
            genuine = False
        if not genuine:
            return [], Finding(ANCHOR_FORGED, None, {"anchor": str(anchor)[:500]})
    return anchors, Finding()


def verify(*, started_by="", verification=None):
    """Verify the chain and its anchors, store the result in an AuditVerification (the given one, or a
    new one), anchor the verified head when all is intact, and return the verification."""
    if verification is None:
        verification = AuditVerification.objects.create(started_by=started_by[:150])
    AuditVerification.objects.filter(pk=verification.pk).update(rows_total=AuditEvent.objects.count())
    anchors, finding = _valid_anchors()
    rows, last = 0, (0, "")
    if finding.intact:
        finding, seen, rows, last = _walk_chain(verification, {int(a["last_id"]) for a in anchors})
        if finding.intact:
            finding = _check_anchors(anchors, seen, rows, last[0])
    verification.refresh_from_db(fields=["rows_total"])
    verification.status = (
        AuditVerification.Status.INTACT if finding.intact else AuditVerification.Status.BROKEN
    )
    verification.finished_at = timezone.now()
    verification.rows_total = max(verification.rows_total, rows)
    verification.rows_checked = rows
    verification.anchors_checked = len(anchors)
    verification.first_bad_id = finding.first_bad_id
    verification.problem = finding.problem
    verification.problem_detail = finding.detail
    verification.save()
    if finding.intact and rows:
        write_anchor(last_id=last[0], count=rows, head=last[1], reason="verified")
    elif not finding.intact:
        logger.error("The audit log failed verification: %s at row %s", finding.problem, finding.first_bad_id)
    return verification
