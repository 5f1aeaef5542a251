"""Chinese personal names: 姓氏笔画 ordering and pinyin search / sort keys.

Pure Python, no Django. ``data/strokes.txt`` (see ``data/STROKES-LICENSE.md``)
is read once, on first use; pypinyin is imported on first use too, so importing
this module stays cheap.

* :func:`stroke_sort_key` -- a digit string whose plain string order is the
  official 姓氏笔画 order (the order of 政协 member lists).
* :func:`pinyin_full` / :func:`pinyin_initials` -- ``张三`` -> ``"zhangsan"`` /
  ``"zs"``, for search; a leading surname gets its surname reading
  (单 shan, 曾 zeng, 区 ou, 仇 qiu, 尉迟 yuchi, ...).
* :func:`pinyin_sort_key` -- an ``[0-9a-z]`` string for ordering by pinyin.

The keys only use ASCII digits and lowercase letters, so they order the same
way under the C collation and under the usual locale collations, and can be
stored in an indexed ``CharField(max_length=255)``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

STROKES_PATH = Path(__file__).resolve().parent / "data" / "strokes.txt"

#: Upper bound on the length of every key returned here (a CharField's max_length).
MAX_KEY_LENGTH = 255

# Separators that carry no ordering weight in a name: whitespace (tested with
# str.isspace) and the dots written between the parts of a transliterated name,
# e.g. 阿不都·热合曼 (middle dot, bullet, hyphenation point, katakana and
# halfwidth middle dots, dot operators, full stops).
_NAME_DOTS = frozenset("\u00b7\u2022\u2027\u30fb\uff65\u22c5\u2219.\uff0e")

# Unified ideographs (URO, extensions A-H) and compatibility ideographs; used
# to tell an ideograph that is missing from the data from any other character.
_IDEOGRAPH_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x323AF),
)
_IDEOGRAPH_CLASS = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _IDEOGRAPH_RANGES)
_HAN_RUN = re.compile(f"[{_IDEOGRAPH_CLASS}]+")

# Per-character stroke code: two-digit stroke count then one digit per stroke,
# so characters with the same count have codes of the same width and no code is
# a prefix of another. Counts in the data stay far below 80; characters without
# data get a fixed-width code starting with 8 (ideographs) or 9 (anything else),
# which sorts them after every listed character at the same position.
_MISSING_IDEOGRAPH = "8"
_OTHER_CHARACTER = "9"
_CODE_POINT_WIDTH = 7  # enough for U+10FFFF = 1114111

# Surname readings that differ from the reading pypinyin gives the character
# on its own, in pypinyin's TONE3 notation. Applied only to the start of a name,
# compound surnames first. (单于 is left out on purpose: 单 + a given name
# starting with 于 is far more common today than the compound surname.)
COMPOUND_SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "尉迟": ("yu4", "chi2"),
    "万俟": ("mo4", "qi2"),
    "长孙": ("zhang3", "sun1"),
    "澹台": ("tan2", "tai2"),
    "乐正": ("yue4", "zheng4"),
    "诸葛": ("zhu1", "ge3"),
    "仉督": ("zhang3", "du1"),
}
SURNAME_READINGS: dict[str, str] = {
    "单": "shan4",
    "解": "xie4",
    "仇": "qiu2",
    "朴": "piao2",
    "区": "ou1",
    "查": "zha1",
    "曾": "zeng1",
    "乐": "yue4",
    "覃": "qin2",
    "盖": "ge3",
    "缪": "miao4",
    "员": "yun4",
    "召": "shao4",
    "繁": "po2",
    "任": "ren2",
    "沈": "shen3",
    "秘": "bi4",
    "折": "she2",
    "燕": "yan1",
    "种": "chong2",
    "华": "hua4",
    "纪": "ji3",
    "祭": "zhai4",
    "宁": "ning4",
    "费": "fei4",
    "葛": "ge3",
    "翟": "zhai2",
    "卜": "bu3",
    "句": "gou1",
    "阚": "kan4",
    "隗": "wei3",
    "郇": "xun2",
    "过": "guo1",
    "都": "du1",
    "重": "chong2",
    "薄": "bo2",
    "那": "na1",
    "乜": "nie4",
    "蕃": "pi2",
    "能": "nai4",
    "洗": "xian3",
    "粘": "nian2",
    "颉": "xie2",
    "炅": "gui4",
    "佴": "nai4",
}

_TONE3 = re.compile(r"([a-z]+)([1-5])")
_PINYIN_WIDTH = 6  # longest syllables: zhuang, chuang, shuang


def _clean(name: str | None) -> str:
    """NFC-normalise a name and drop whitespace and separator dots."""
    text = unicodedata.normalize("NFC", name or "")
    return "".join(ch for ch in text if not ch.isspace() and ch not in _NAME_DOTS)


def _is_ideograph(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _IDEOGRAPH_RANGES)


# --- strokes ---------------------------------------------------------------------------


@functools.cache
def _stroke_table() -> dict[str, str]:
    table: dict[str, str] = {}
    with STROKES_PATH.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            char, tab, digits = line.partition("\t")
            if not tab or len(char) != 1 or not digits or digits.strip("12345") or len(digits) >= 80:
                raise ValueError(f"{STROKES_PATH}:{number}: malformed line {line!r}")
            table[char] = digits
    return table


def stroke_sequence(char: str) -> str | None:
    """The stroke order of one character as digits 1-5 (横竖撇点折), or None if unknown."""
    return _stroke_table().get(unicodedata.normalize("NFC", char))


def stroke_count(char: str) -> int | None:
    """The number of strokes of one character, or None if unknown."""
    sequence = stroke_sequence(char)
    return len(sequence) if sequence is not None else None


def _stroke_code(ch: str, table: dict[str, str]) -> str:
    sequence = table.get(ch)
    if sequence is not None:
        return f"{len(sequence):02d}{sequence}"
    prefix = _MISSING_IDEOGRAPH if _is_ideograph(ch) else _OTHER_CHARACTER
    return f"{prefix}{ord(ch):0{_CODE_POINT_WIDTH}d}"


def stroke_sort_key(name: str) -> str:
    """Sort key for the official 姓氏笔画 order of personal names.

    Characters are compared one by one: fewer strokes first; with equal counts,
    by the stroke sequence (横1 < 竖2 < 撇3 < 点4 < 折5 at the first difference);
    a name that is a prefix of another comes first. Characters missing from the
    stroke data sort after all known characters at that position (ideographs
    before other characters, each by code point). Whitespace and the dot in
    transliterated names are ignored. Plain string comparison of the returned
    digits gives this order; the key is cut at MAX_KEY_LENGTH, which keeps the
    order (names that only differ past the cut compare equal).
    """
    table = _stroke_table()
    parts: list[str] = []
    length = 0
    for ch in _clean(name):
        code = _stroke_code(ch, table)
        parts.append(code)
        length += len(code)
        if length >= MAX_KEY_LENGTH:
            break
    return "".join(parts)[:MAX_KEY_LENGTH]


# --- pinyin ----------------------------------------------------------------------------


@functools.cache
def _pypinyin():
    import pypinyin

    return pypinyin


def _ascii_word(text: str) -> str:
    """Lowercase ASCII letters and digits of ``text``, accents stripped."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.lower() if ch.isascii() and ch.isalnum())


def _tone3(reading: str) -> tuple[str, str] | None:
    match = _TONE3.fullmatch(_ascii_word(reading))
    return (match.group(1), match.group(2)) if match else None


def _split_tone3(reading: str) -> tuple[str, str]:
    """Split one of the TONE3 readings of the surname tables: "shan4" -> ("shan", "4")."""
    return reading[:-1], reading[-1]


def _han_syllables(run: str) -> list[tuple[str, str]]:
    """(letters, tone) per character of a run of ideographs; ("", "") if it has no reading."""
    pypinyin = _pypinyin()
    result: list[tuple[str, str]] = []
    for item in pypinyin.lazy_pinyin(run, style=pypinyin.Style.TONE3, neutral_tone_with_five=True):
        syllable = _tone3(item)
        if syllable is not None:
            result.append(syllable)
        else:  # characters pypinyin has no reading for come back unchanged
            result.extend(("", "") for _ in item)
    return result


def _syllables(name: str | None) -> list[tuple[str, str]]:
    """The name as (letters, tone) units.

    Ideographs give one unit each, tone "1"-"5"; other text gives one unit per
    word (its ASCII letters and digits), tone "0".
    """
    text = unicodedata.normalize("NFC", name or "")
    text = "".join(" " if ch.isspace() or ch in _NAME_DOTS else ch for ch in text).strip()
    units: list[tuple[str, str]] = []
    for compound, readings in COMPOUND_SURNAME_READINGS.items():
        if text.startswith(compound):
            units.extend(_split_tone3(reading) for reading in readings)
            text = text[len(compound) :]
            break
    else:
        if text[:1] in SURNAME_READINGS:
            units.append(_split_tone3(SURNAME_READINGS[text[0]]))
            text = text[1:]
    position = 0
    for run in _HAN_RUN.finditer(text):
        units.extend((word, "0") for word in map(_ascii_word, text[position : run.start()].split()) if word)
        units.extend(_han_syllables(run.group()))
        position = run.end()
    units.extend((word, "0") for word in map(_ascii_word, text[position:].split()) if word)
    return units


def pinyin_full(name: str) -> str:
    """Lowercase toneless pinyin without separators: 张三 -> "zhangsan", 吕 -> "lv".

    A leading surname is read as a surname (单 -> shan, 曾 -> zeng); other text
    keeps its ASCII letters and digits ("John Smith" -> "johnsmith").
    """
    return "".join(letters for letters, _ in _syllables(name))


def pinyin_initials(name: str) -> str:
    """First letter of each syllable: 张三 -> "zs", 曾小明 -> "zxm"; one per word for other text."""
    return "".join(letters[0] for letters, _ in _syllables(name) if letters)


def pinyin_sort_key(name: str) -> str:
    """Sort key for ordering names by pinyin, as an ``[0-9a-z]`` string.

    Syllable by syllable: letters first (each padded with "0" to a fixed width,
    so "an" < "ang" and a shorter name sorts before its extensions), then the
    tone (1-5); names that read the same are then ordered by
    :func:`stroke_sort_key`. Non-Chinese words sort among the syllables by
    their letters; characters without a reading sort last.
    """
    parts: list[str] = []
    for letters, tone in _syllables(name):
        if not letters:
            letters, tone = "z" * _PINYIN_WIDTH, "9"
        parts.append(letters.ljust(_PINYIN_WIDTH, "0") + tone)
    return ("".join(parts) + stroke_sort_key(name))[:MAX_KEY_LENGTH]
