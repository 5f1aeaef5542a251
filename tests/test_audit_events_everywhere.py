"""Every audit row says what happened as a declared event (issue 10, defect 10; lvzhi.core.audit).

Reads every module under lvzhi/ (not tests or migrations) with `ast` and fails on an `audit.record(...)`
call that passes no `event=`, unless its action says all there is to say: signing in and out, a failed
sign-in, an expired session, one's own password change (ACTIONS_COMPLETE_WITHOUT_EVENT). A call passing
`summary=` fails too: English written into the log is what events replace. Every event code written as a
literal (`event="library.document_created"`, or either branch of `a if c else b`) must be declared in an
app's audit_events.py; `audit.record` refuses an undeclared one at run time as well.
"""

import ast
from pathlib import Path

import pytest

from lvzhi.core import audit

ROOT = Path(__file__).resolve().parent.parent / "lvzhi"
ACTIONS_COMPLETE_WITHOUT_EVENT = {"LOGIN", "LOGOUT", "SESSION_EXPIRED", "LOGIN_FAILED", "PASSWORD_CHANGE"}


def modules():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path


def record_calls():
    for path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                yield f"{path.relative_to(ROOT.parent)}:{node.lineno}", node


def literal_codes(value):
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return [value.value]
    if isinstance(value, ast.IfExp):
        return literal_codes(value.body) + literal_codes(value.orelse)
    return []


def action_name(call):
    action = call.args[0] if call.args else None
    return action.attr if isinstance(action, ast.Attribute) else None


def test_there_are_audit_calls_to_check():
    assert len(list(record_calls())) > 50


def test_every_audit_record_call_passes_an_event():
    missing, with_summary = [], []
    for where, call in record_calls():
        keywords = {k.arg for k in call.keywords}
        if "summary" in keywords:
            with_summary.append(where)
        if "event" not in keywords and action_name(call) not in ACTIONS_COMPLETE_WITHOUT_EVENT:
            missing.append(where)
    assert not missing, f"audit.record without event=: {missing}"
    assert not with_summary, f"audit.record with an English summary=: {with_summary}"


def test_every_event_code_written_in_the_code_is_declared():
    declared = audit.event_types()
    unknown = [
        (where, code)
        for where, call in record_calls()
        for keyword in call.keywords
        if keyword.arg == "event"
        for code in literal_codes(keyword.value)
        if code not in declared
    ]
    assert not unknown


@pytest.mark.parametrize("code", sorted(audit.event_types()))
def test_every_event_has_a_chinese_message(code):
    from django.utils import translation

    kind = audit.event_types()[code]
    with translation.override("en"):
        english = audit.title_of(kind)
    with translation.override("zh-hans"):
        chinese = audit.title_of(kind)
    assert chinese != english, f"{code}: {english!r} has no Chinese translation"
