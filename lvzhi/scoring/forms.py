"""Forms of the rule-set pages (考核细则): the text of a version, and the form of its numbers only.

The numbers form writes the next version by changing the numbers where they are written in the text
(yaml.compose gives the exact place of every value), so comments, order and wording stay as staff wrote
them; only when a number cannot be placed that way (a JSON text, a key to add to a one-line mapping) is
the whole rule set written again with rules.dump. Either way the result is loaded again and checked
against what was asked before it is offered for saving.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

import yaml
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from lvzhi.ledger import kinds as ledger_kinds

from . import rules
from .services import YEAR_RANGE

TEXT_MAX = 200_000
# Largest number a value may hold: MemberScore.total has 7 digits, 2 of them decimals.
NUMBER_MAX_DIGITS = 7


class RuleSetTextForm(forms.Form):
    """The year and the text of a new version; with `year` given (editing a version), the year is that
    version's and not asked."""

    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=YEAR_RANGE[0], max_value=YEAR_RANGE[1])
    text = forms.CharField(
        label=gettext_lazy("Rules (YAML or JSON)"),
        strip=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(
            attrs={"rows": 28, "spellcheck": "false", "class": "font-monospace", "wrap": "off"}
        ),
    )

    def __init__(self, *args, year: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_year = year
        if year is not None:
            del self.fields["year"]

    @property
    def chosen_year(self) -> int:
        return self.fixed_year if self.fixed_year is not None else self.cleaned_data["year"]


# --- the numbers form ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One number of a rule set that the form shows: where it is in the text (a path of keys and list
    positions from the top) and what it is called on the page."""

    name: str
    path: tuple[str | int, ...]
    label: str
    what: str
    value: Decimal | None
    required: bool
    line: int
    section: str
    # What the page shows beside the input, under its section's title (the label names the section too).
    short: str = ""


def _plain(value: Decimal) -> str:
    """A number as written in the text: 50, 12.5, -2 (never 5E+1)."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _rule_label(category: rules.Category, rule: rules.Rule) -> str:
    return f"{category.name} · {rule.text or ledger_kinds.label(rule.kind)}"


def slots_of(ruleset: rules.RuleSet) -> list[Slot]:
    """Every number the form edits, in the order of the text."""
    # "Start" alone is the start page elsewhere: here it is a category's starting score.
    points, start, cap, floor = _("Points"), pgettext("scoring", "Start"), _("Cap"), _("Floor")
    slots = [
        Slot(
            name="pass_mark",
            path=("pass_mark",),
            label=_("Pass mark"),
            what=_("Pass mark"),
            value=ruleset.pass_mark,
            required=False,
            line=0,
            section="",
            short=_("Pass mark"),
        )
    ]
    for i, category in enumerate(ruleset.categories):
        base = ("categories", i)
        for key, what, value, required in (
            ("start", start, category.start, True),
            ("cap", cap, category.cap, False),
            ("floor", floor, category.floor, True),
        ):
            slots.append(
                Slot(
                    name=f"{key}-{category.code}",
                    path=(*base, key),
                    label=f"{category.name} · {what}",
                    what=what,
                    value=value,
                    required=required,
                    line=0,
                    section=category.code,
                    short=what,
                )
            )
        for j, rule in enumerate(category.rules):
            if rule.points is None:  # per_role only: its numbers are edited in the text
                continue
            slots.append(
                Slot(
                    name=f"points-{rule.kind}",
                    path=(*base, "rules", j, "points"),
                    label=_rule_label(category, rule),
                    what=points,
                    value=rule.points,
                    required=True,
                    line=rule.line,
                    section=category.code,
                    short=rule.text or ledger_kinds.label(rule.kind),
                )
            )
    for i, grade in enumerate(ruleset.grades):
        last = i == len(ruleset.grades) - 1
        slots.append(
            Slot(
                name=f"grade-{i}-min",
                path=("grades", i, "min"),
                label=f"{_('Grade')} {grade.name} · {_('Minimum')}",
                what=_("Minimum"),
                value=grade.min,
                required=not last,
                line=grade.line,
                section="grades",
                short=grade.name,
            )
        )
    return slots


class RuleSetValuesForm(forms.Form):
    """The numbers of one rule set, labelled with its own names. `changes()` after is_valid() lists what
    differs from the stored version; `new_text()` writes the next version's text."""

    def __init__(self, *args, ruleset: rules.RuleSet, text: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.ruleset = ruleset
        self.text = text
        self.slots = slots_of(ruleset)
        for slot in self.slots:
            what = slot.what
            self.fields[slot.name] = forms.DecimalField(
                label=slot.label,
                required=slot.required,
                max_digits=NUMBER_MAX_DIGITS,
                decimal_places=2,
                initial=_plain(slot.value) if slot.value is not None else None,
                localize=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control text-end"}),
                error_messages={
                    "required": _("%(what)s is required.") % {"what": what},
                    "invalid": _("%(what)s must be a number.") % {"what": what},
                    "max_decimal_places": _("%(what)s: at most two decimal places.") % {"what": what},
                    "max_digits": _("%(what)s: the number is too large.") % {"what": what},
                    "max_whole_digits": _("%(what)s: the number is too large.") % {"what": what},
                },
            )

    def sections(self):
        """The fields grouped for the page: the pass mark, each category (its start, cap and floor, then
        its rules), the grades' minimums. Each: (key, title, [(slot, bound field)], [rules'])."""
        groups: list[tuple[str, str, list, list]] = [("overall", _("Overall"), [], [])]
        titles = {c.code: c.name for c in self.ruleset.categories}
        for slot in self.slots:
            key = slot.section or "overall"
            if groups[-1][0] != key:
                title = titles.get(key) or (_("Grades: minimum total") if key == "grades" else "")
                groups.append((key, title, [], []))
            is_rule = len(slot.path) > 3
            groups[-1][3 if is_rule else 2].append((slot, self[slot.name]))
        return groups

    def error_list(self) -> list[str]:
        """Every field error as "<label>：<message>", e.g. “出席全体会议 · 出席全体会议：分值须为数字”."""
        out = []
        for slot in self.slots:
            for error in self.errors.get(slot.name, ()):
                out.append(f"{slot.label}：{error}")
        out += list(self.non_field_errors())
        return out

    def changes(self) -> list[tuple[Slot, Decimal | None]]:
        return [
            (slot, self.cleaned_data[slot.name])
            for slot in self.slots
            if self.cleaned_data[slot.name] != slot.value
        ]

    def new_text(self) -> str:
        """The next version's text with the changed numbers. Raises rules.RuleSetError if the numbers
        make a rule set that does not load (a floor above its cap, grades out of order)."""
        changes = self.changes()
        text = rewrite_numbers(self.text, [(slot.path, value) for slot, value in changes])
        if text is not None and _numbers_match(text, changes):
            return text
        return rules.dump(_replaced(self.ruleset, changes))


def _numbers_match(text: str, changes: list[tuple[Slot, Decimal | None]]) -> bool:
    """Whether `text` loads and carries every changed number (a RuleSetError passes up: the numbers are
    wrong whichever way they are written)."""
    loaded = rules.load(text)
    for slot, value in changes:
        if value_at(loaded, slot.path) != (None if value is None else rules.money(value)):
            return False
    return True


def value_at(ruleset: rules.RuleSet, path: tuple[str | int, ...]) -> Decimal | None:
    if path == ("pass_mark",):
        return ruleset.pass_mark
    if path[0] == "grades":
        return ruleset.grades[int(path[1])].min
    category = ruleset.categories[int(path[1])]
    if path[2] == "rules":
        return category.rules[int(path[3])].points
    return getattr(category, str(path[2]))


def _replaced(ruleset: rules.RuleSet, changes: list[tuple[Slot, Decimal | None]]) -> rules.RuleSet:
    """The rule set with the changed numbers, for rules.dump (the fallback that loses comments)."""
    pass_mark = ruleset.pass_mark
    categories = [list(c.rules) for c in ruleset.categories]
    category_values: list[dict[str, Decimal | None]] = [{} for _c in ruleset.categories]
    grades = list(ruleset.grades)
    for slot, value in changes:
        path = slot.path
        number = None if value is None else rules.money(value)
        if path == ("pass_mark",):
            pass_mark = number
        elif path[0] == "grades":
            i = int(path[1])
            grades[i] = dataclasses.replace(grades[i], min=number)
        elif path[2] == "rules":
            i, j = int(path[1]), int(path[3])
            categories[i][j] = dataclasses.replace(categories[i][j], points=number)
        else:
            category_values[int(path[1])][str(path[2])] = number
    new_categories = []
    for category, category_rules, values in zip(ruleset.categories, categories, category_values, strict=True):
        if values.get("start", 0) is None:
            values["start"] = Decimal("0.00")
        if values.get("floor", 0) is None:
            values["floor"] = Decimal("0.00")
        new_categories.append(dataclasses.replace(category, rules=tuple(category_rules), **values))
    return dataclasses.replace(
        ruleset, pass_mark=pass_mark, categories=tuple(new_categories), grades=tuple(grades)
    )


# --- changing numbers where they are written --------------------------------------------------------


def _child(node: yaml.Node, step: str | int) -> tuple[yaml.Node | None, yaml.Node | None]:
    """(key node, value node) of `step` in a mapping node, or (None, item) of a position in a list."""
    if isinstance(step, int):
        if isinstance(node, yaml.SequenceNode) and step < len(node.value):
            return None, node.value[step]
        return None, None
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == step:
                return key, value
    return None, None


def rewrite_numbers(text: str, edits: list[tuple[tuple[str | int, ...], Decimal | None]]) -> str | None:
    """`text` with each number at its path replaced where it is written (None: the key removed), keys
    that are not written yet added on a line of their own after the first line of their mapping. None
    when an edit cannot be made that way (the caller then writes the whole rule set)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if root is None:
        return None
    ops: list[tuple[int, int, str]] = []
    for path, value in edits:
        parent: yaml.Node | None = root
        for step in path[:-1]:
            _key, parent = _child(parent, step) if parent is not None else (None, None)
        if not isinstance(parent, yaml.MappingNode):
            return None
        key, node = _child(parent, path[-1])
        if key is not None and node is not None:
            if not isinstance(node, yaml.ScalarNode):
                return None
            if value is not None:
                ops.append((node.start_mark.index, node.end_mark.index, _plain(value)))
                continue
            line_start = text.rfind("\n", 0, key.start_mark.index) + 1
            alone = not text[line_start : key.start_mark.index].strip()
            if parent.flow_style or not alone or node.end_mark.line != key.start_mark.line:
                ops.append((node.start_mark.index, node.end_mark.index, "null"))
                continue
            line_end = text.find("\n", node.end_mark.index)
            ops.append((line_start, len(text) if line_end < 0 else line_end + 1, ""))
        elif value is not None:
            if parent.flow_style or not parent.value:
                return None
            first_key, first_value = parent.value[0]
            if first_value.end_mark.line != first_key.start_mark.line:
                return None
            line_end = text.find("\n", first_value.end_mark.index)
            if line_end < 0:
                return None
            indent = " " * first_key.start_mark.column
            ops.append((line_end + 1, line_end + 1, f"{indent}{path[-1]}: {_plain(value)}\n"))
    for start, end, replacement in sorted(ops, key=lambda op: op[0], reverse=True):
        text = text[:start] + replacement + text[end:]
    return text
