"""开通通知书: the letters that give members their login name and activation code, one page per member,
in the layout of official documents (lvzhi.core.docx_official, GB/T 9704). The office prints them and
hands them out at a meeting; members keep them for their first sign-in on a phone.

Each letter holds a valid code in clear: the download is permission-checked and audited (without the
codes), and the file is made in memory, never stored.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from lvzhi.core import docx_official

if TYPE_CHECKING:
    from docx.document import Document

    from .models import ActivationCode


def _steps(phone_login: bool) -> list[str]:
    return [
        _("Open the sign-in address in the browser of your phone."),
        _("Tap “First sign-in / activate account”."),
        _("Enter your login name (or mobile number) and the activation code.")
        if phone_login
        else _("Enter your login name and the activation code."),
        _(
            "Choose your password and type it twice: at least 8 characters, with 3 of upper-case letters, "
            "lower-case letters, digits and symbols."
        ),
        _("From then on, sign in with your login name (or mobile number) and your password.")
        if phone_login
        else _("From then on, sign in with your login name and your password."),
    ]


def _phone_login(code: ActivationCode) -> bool:
    """Whether the account can also be signed in to with a mobile number: only through a member file's
    phone (accounts.login_names.resolve), so not an information officer's account of their own."""
    return getattr(code.user, "member", None) is not None


# Stand-ins for one member's values in the letter written once (build_letters).
_FIELD = re.compile(r"⟦(name|username|code|date)⟧")


def _values(code: ActivationCode) -> dict[str, str]:
    user = code.user
    member = getattr(user, "member", None)
    return {
        "name": member.name if member is not None else user.display_name or user.username,
        "username": user.username,
        "code": code.display_code,
        "date": date_format(timezone.localtime(code.expires_at), "DATE_FORMAT"),
    }


def _write_letter(
    document: Document, values: dict[str, str], *, committee_name: str, site_url: str, phone_login: bool
) -> None:
    """One letter, kept within the 22 lines of a GB/T 9704 page."""
    docx_official.add_title(document, _("Notice of account opening"))
    docx_official.add_body_paragraph(document, _("Dear %(name)s:") % {"name": values["name"]}, indent=False)
    docx_official.add_body_paragraph(
        document,
        _("Your account on the member duty platform of %(committee)s is open; sign in on your phone.")
        % {"committee": committee_name},
    )
    docx_official.add_heading_line(document, _("Sign-in address: %(url)s") % {"url": site_url})
    docx_official.add_heading_line(
        document,
        (
            _("Login name: %(username)s (or sign in with your mobile number)")
            if phone_login
            else _("Login name: %(username)s")
        )
        % {"username": values["username"]},
    )
    docx_official.add_heading_line(document, _("Activation code: %(code)s") % {"code": values["code"]})
    docx_official.add_body_paragraph(
        document,
        _(
            "Valid until %(date)s, once only; keep it to yourself. When it has expired or you forget your "
            "password, the office gives you a new code."
        )
        % {"date": values["date"]},
    )
    docx_official.add_heading_line(document, _("How to sign in"))
    for number, step in enumerate(_steps(phone_login), start=1):
        docx_official.add_body_paragraph(document, f"{number}. {step}")
    signature = docx_official.add_body_paragraph(document, committee_name, indent=False)
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def build_letters(codes: Iterable[ActivationCode], *, committee_name: str, site_url: str) -> Document:
    """One page per code (a page break between letters), in the given order.

    The letter is written once (once for accounts that may sign in with a member file's mobile number,
    once for those that may not) with stand-ins for the values, and each page is a copy of its
    paragraphs with the values put in: python-docx takes milliseconds for every run it writes, and
    280 letters written one by one took twenty seconds."""
    document = docx_official.new_document(title=_("Notice of account opening"), author=committee_name)
    end = document.element.body.sectPr
    letters: dict[bool, list] = {}
    page_break = None
    for index, code in enumerate(codes):
        values = _values(code)
        phone_login = _phone_login(code)
        if phone_login not in letters:
            scratch = docx_official.new_document()
            _write_letter(
                scratch,
                {key: f"⟦{key}⟧" for key in ("name", "username", "code", "date")},
                committee_name=committee_name,
                site_url=site_url,
                phone_login=phone_login,
            )
            letters[phone_login] = list(scratch.element.body.iterchildren(qn("w:p")))
            page_break = page_break if page_break is not None else scratch.add_page_break()._p
        if index:
            end.addprevious(copy.deepcopy(page_break))
        for template in letters[phone_login]:
            paragraph = copy.deepcopy(template)
            for text in paragraph.iter(qn("w:t")):
                if text.text and "⟦" in text.text:
                    text.text = _FIELD.sub(lambda match, values=values: values[match.group(1)], text.text)
            end.addprevious(paragraph)
    return document
