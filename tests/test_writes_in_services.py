"""No model write outside services (issue 9; DESIGN.md §4 "Inside an app", STYLE.md "What slipped").

Views, forms and management commands hand cleaned values and the acting user to a service, which checks
the actor's right, runs in a transaction and writes the audit row; a view or form that saves a model
"just this once" bypasses all three. This test reads every views module (`views.py`, `*_views.py`, the
modules of a `views/` package), every forms module (`forms.py`, `*forms*.py`) and every management
command under lvzhi/ with `ast` (a regex would also match comments and strings) and fails on a call
that writes a model:

- `.create()`, `.delete()`, `.get_or_create()`, `.update_or_create()`, `.bulk_create()`,
  `.bulk_update()`, a ModelForm's `.save_m2m()`: always.
- `.save()`: a model's or a ModelForm's, except `save(commit=False)`, which only builds an unsaved
  instance, and a save with a positional argument: a model's save takes keyword arguments only since
  Django 5.1, so `document.save(buffer)` or `workbook.save(stream)` writes a file to a stream.
- `.update()` with keyword arguments only, as `QuerySet.update(field=value)` takes them; `dict.update`
  is called with a mapping (`context.update(extra)`) and is not a write.
- `.add()`, `.remove()`, `.set()`, `.clear()` on a related manager (and every one of these in its
  async form, `acreate()`, `asave()`, …). Their names are too common to take
  every such call (a Python set's `seen.add(x)`, `cache.set(...)`, an XML element's `table._tbl.remove`),
  so a call counts when its receiver is an attribute named like a many-valued relation of an installed
  model (`member_term.special_committees.set(...)`, `user.groups.clear()`), names read from the app
  registry: a forward many-to-many field or the accessor of a reverse foreign key or many-to-many.

What it does not see, on purpose or because it cannot:
- a write hidden in a model method or a helper that a view calls (`activity.publish()`): models keep no
  side effects (STYLE.md habit 4), and helpers that write are services by another name;
- writes inside Django's own code: `login()` / `logout()` write the session and the last sign-in time, and
  Django's PasswordChangeView saves the new password through its own form (accounts/views.py audits it);
- `core.submission.claim(request)`, which views call inside the service's transaction: it records that a
  form was sent once, a fact about the request rather than about the thing being written;
- writes to the session (`request.session[...] = ...`) are assignments, not calls.

An exception goes into ALLOWED_WRITES with the reason; an entry that no longer matches a call fails too, so
that the list shrinks when the code does.
"""

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lvzhi"

# Each also in its async form (`acreate`, `asave`, …).
ALWAYS_WRITES = frozenset(
    {"create", "delete", "get_or_create", "update_or_create", "bulk_create", "bulk_update", "save_m2m"}
)
RELATED_MANAGER_WRITES = frozenset({"add", "remove", "set", "clear"})


def _sync_name(method):
    if method.startswith("a") and method[1:] in {*ALWAYS_WRITES, *RELATED_MANAGER_WRITES, "save", "update"}:
        return method[1:]
    return method


# (file, enclosing function as Class.method or "<module>", the called expression as written): why it
# may write outside a service. Empty today: every write of views, forms and commands goes through one.
ALLOWED_WRITES: dict[tuple[str, str, str], str] = {}


@dataclass(frozen=True)
class Write:
    path: str
    line: int
    function: str
    call: str

    @property
    def key(self):
        return (self.path, self.function, self.call)

    def explain(self):
        app = Path(self.path).parts[1] if self.path.startswith("lvzhi/") else "<app>"
        return (
            f"{self.path}:{self.line} in {self.function}: {self.call}(...) writes a model. Move the write "
            f"into a service (lvzhi/{app}/services.py or the module that holds the app's writes for this "
            "thing) taking the cleaned values and the actor, checking the right, in transaction.atomic, "
            "with the audit row; or, if it truly belongs here, add it to ALLOWED_WRITES with the reason."
        )


def relation_accessors():
    """The attribute names under which an instance of some installed model holds a related manager."""
    names = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields(include_hidden=True):
            if not (field.many_to_many or field.one_to_many):
                continue
            if field.auto_created and not field.concrete:  # the reverse side of a relation
                accessor = field.get_accessor_name()
                if accessor:  # None for a hidden reverse relation (related_name ending in "+")
                    names.add(accessor)
            else:
                names.add(field.name)
    return frozenset(names)


def _is_write(call, related_managers):
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    method = _sync_name(func.attr)
    if method in ALWAYS_WRITES:
        return True
    if method == "save":
        keeps_unsaved = any(
            k.arg == "commit" and isinstance(k.value, ast.Constant) and k.value.value is False
            for k in call.keywords
        )
        return not call.args and not keeps_unsaved
    if method == "update":
        return not call.args and bool(call.keywords)
    if method in RELATED_MANAGER_WRITES:
        receiver = func.value
        return isinstance(receiver, ast.Attribute) and receiver.attr in related_managers
    return False


class _WriteFinder(ast.NodeVisitor):
    def __init__(self, path, related_managers):
        self.path = path
        self.related_managers = related_managers
        self.scope = []
        self.writes = []

    def _visit_scope(self, node):
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_ClassDef = visit_FunctionDef = visit_AsyncFunctionDef = _visit_scope

    def visit_Call(self, node):
        if _is_write(node, self.related_managers):
            self.writes.append(
                Write(
                    path=self.path,
                    line=node.lineno,
                    function=".".join(self.scope) or "<module>",
                    call=ast.unparse(node.func),
                )
            )
        self.generic_visit(node)


def find_writes(source, path, related_managers):
    """The model writes in one module's source, in order."""
    finder = _WriteFinder(path, related_managers)
    finder.visit(ast.parse(source, filename=path))
    return finder.writes


def _is_checked(path):
    parts = path.relative_to(PACKAGE).parts
    if "tests" in parts or "migrations" in parts:
        return False
    # views.py, report_views.py, forms.py, report_forms.py, a views/ or forms/ package, a command.
    words = {*path.stem.split("_"), *parts[:-1]}
    return bool(words & {"views", "forms"}) or parts[-3:-1] == ("management", "commands")


def checked_modules():
    return sorted(path for path in PACKAGE.rglob("*.py") if _is_checked(path))


def writes_outside_services():
    related_managers = relation_accessors()
    writes = []
    for path in checked_modules():
        relative = path.relative_to(ROOT).as_posix()
        writes += find_writes(path.read_text(encoding="utf-8"), relative, related_managers)
    return writes


def test_views_forms_and_commands_write_only_through_services():
    unexplained = [write for write in writes_outside_services() if write.key not in ALLOWED_WRITES]
    assert not unexplained, "Model writes outside services:\n" + "\n".join(w.explain() for w in unexplained)


def test_every_allowed_write_is_still_there():
    found = {write.key for write in writes_outside_services()}
    stale = [key for key in ALLOWED_WRITES if key not in found]
    assert not stale, f"ALLOWED_WRITES names calls that are gone; remove them: {stale}"


def test_every_allowed_write_says_why():
    assert all(reason.strip() for reason in ALLOWED_WRITES.values())


def test_it_reads_the_views_forms_and_commands():
    checked = {path.relative_to(ROOT).as_posix() for path in checked_modules()}
    assert {
        "lvzhi/notifications/views.py",
        "lvzhi/activities/calendar_views.py",
        "lvzhi/accounts/forms.py",
        "lvzhi/core/views.py",
        "lvzhi/members/management/commands/import_members.py",
    } <= checked
    assert not any("/tests/" in path or "/migrations/" in path for path in checked)
    assert not {"lvzhi/notifications/services.py", "lvzhi/core/navigation.py"} & checked


def test_it_knows_the_related_managers():
    assert {"groups", "special_committees", "participations"} <= relation_accessors()


VIOLATIONS = """
def member_edit(request, pk):
    form = MemberForm(request.POST)
    form.save()
    Member.objects.create(name="x")
    Member.objects.filter(pk=pk).update(name="y")
    Member.objects.get_or_create(name="z")
    Member.objects.filter(pk=pk).delete()
    term.special_committees.add(unit)
    request.user.groups.clear()
    form.save_m2m()
    term.special_committees.aset([])


class PreferenceForm(forms.ModelForm):
    def save(self, commit=True):
        return super().save(commit=commit)
"""

INNOCENT = """
async def report(request):
    context = {}
    context.update(extra)
    seen = set()
    seen.add(1)
    cache.set("key", 1)
    table._tbl.remove(template)
    document.save(buffer)
    member = form.save(commit=False)
    names.clear()
    await adapter.aclose()
    # form.save()
    text = "Member.objects.create()"
"""


def test_the_checker_finds_writes():
    writes = find_writes(VIOLATIONS, "lvzhi/members/views.py", {"groups", "special_committees"})

    assert [(w.line, w.function, w.call) for w in writes] == [
        (4, "member_edit", "form.save"),
        (5, "member_edit", "Member.objects.create"),
        (6, "member_edit", "Member.objects.filter(pk=pk).update"),
        (7, "member_edit", "Member.objects.get_or_create"),
        (8, "member_edit", "Member.objects.filter(pk=pk).delete"),
        (9, "member_edit", "term.special_committees.add"),
        (10, "member_edit", "request.user.groups.clear"),
        (11, "member_edit", "form.save_m2m"),
        (12, "member_edit", "term.special_committees.aset"),
        (17, "PreferenceForm.save", "super().save"),
    ]
    message = writes[0].explain()
    assert message.startswith("lvzhi/members/views.py:4 in member_edit: form.save(...) writes a model")
    assert "lvzhi/members/services.py" in message


def test_the_checker_leaves_what_writes_no_model():
    assert find_writes(INNOCENT, "lvzhi/x/views.py", {"groups", "special_committees"}) == []


def test_a_violation_fails_the_check(monkeypatch):
    # The real test, fed one module with a write: it must fail and name the line.
    monkeypatch.setattr(
        sys.modules[__name__],
        "writes_outside_services",
        lambda: find_writes(VIOLATIONS, "lvzhi/members/views.py", {"groups"}),
    )
    with pytest.raises(AssertionError, match=r"lvzhi/members/views\.py:4 in member_edit: form\.save"):
        test_views_forms_and_commands_write_only_through_services()

    # Explained, the same writes pass.
    explained = {w.key: "a reason" for w in find_writes(VIOLATIONS, "lvzhi/members/views.py", {"groups"})}
    monkeypatch.setattr(sys.modules[__name__], "ALLOWED_WRITES", explained)
    test_views_forms_and_commands_write_only_through_services()
