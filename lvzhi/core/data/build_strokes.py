#!/usr/bin/env python3
"""Regenerate ``strokes.txt``: the stroke-order table behind 姓氏笔画 sorting.

Where the data comes from
-------------------------
The stroke orders are taken from two npm packages by theajack, both released
under the MIT licence (see STROKES-LICENSE.md next to this file):

* ``cnchar-order`` 3.2.6 -- 6,939 simplified characters;
* ``cnchar-trad``  3.2.6 -- 2,611 traditional characters (2,565 of them not
  already in cnchar-order), so that names written in traditional characters
  sort too.

Each package ships a minified JavaScript bundle that embeds its data as
``JSON.parse('{"一":"j","丁":"jg",...}')``: one letter per stroke, using a
26-letter alphabet of detailed stroke shapes. The bundle also embeds the table
that names every letter (``{"j": {"name": "横", "type": "平笔", ...}, ...}``).
This script reads both, folds each detailed stroke into one of the five basic
stroke classes of the 札 order used by 姓氏笔画排序 (GB 13000.1 笔顺规范)::

    1 横 (提 counts as 横)        2 竖 (竖钩 counts as 竖)
    3 撇                          4 点 (捺 counts as 点)
    5 折 (every other stroke with a turn or hook)

and writes one ``<char>\\t<digits>`` line per character, ordered by code point.
The mapping is derived from the letter names in the bundle and checked, so a
future upstream change of the alphabet fails loudly instead of silently
producing a wrong table.

How to rerun
------------
Needs Python 3.11+ and, unless tarballs are given, ``npm`` on PATH::

    python lvzhi/core/data/build_strokes.py             # npm pack into a temp dir
    python lvzhi/core/data/build_strokes.py \\
        --order cnchar-order-3.2.6.tgz --trad cnchar-trad-3.2.6.tgz
    python lvzhi/core/data/build_strokes.py --check     # exit 1 if strokes.txt is stale

Tarballs are verified against the sha512 integrity that the npm registry
publishes for these exact versions before anything is read from them.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "strokes.txt"

# name -> (version, file inside the tarball, sha512 integrity from the registry)
PACKAGES = {
    "cnchar-order": (
        "3.2.6",
        "package/cnchar.order.min.js",
        "sha512-xeW1MnQk9GLW9rOvgTtBLl9amyJ0MBKAuXGgbiAwC/n1MRLoxW4ZnjPL+isVsi0rV3QXlbiDQQKAnL6TsJNLhA==",
    ),
    "cnchar-trad": (
        "3.2.6",
        "package/cnchar.trad.min.js",
        "sha512-xdQUwd+W7j4i4vD1c6ykgwuzNExBZrakrmi/5c6ODclyGgEb7QcBKGta7v9WewNhauLHUkTpeMR4AERoBhs3NQ==",
    ),
}

# Basic class for the stroke names used by cnchar's letter table. Every letter
# whose type is 折笔 and whose name is not listed here is class 5.
CLASS_BY_NAME = {
    "横": "1",
    "提": "1",
    "竖": "2",
    "竖钩": "2",
    "撇": "3",
    "点": "4",
    "点2": "4",  # the slanting dot, e.g. the first stroke of 心
    "捺": "4",
}
FOLD_TYPE = "折笔"

JSON_BLOB = re.compile(r"JSON\.parse\('(.*?)'\)", re.S)
LETTERS = re.compile(r"[a-z]+")


def _integrity(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def _npm_pack(name: str, version: str, into: Path) -> Path:
    out = (
        subprocess.run(
            ["npm", "pack", f"{name}@{version}", "--pack-destination", str(into)],
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    return into / out


def _read_bundle(tarball: Path, member: str, integrity: str) -> str:
    actual = _integrity(tarball)
    if actual != integrity:
        raise SystemExit(f"{tarball}: integrity {actual} does not match the pinned {integrity}")
    with tarfile.open(tarball, "r:gz") as tar:
        handle = tar.extractfile(member)
        if handle is None:
            raise SystemExit(f"{tarball}: {member} not found")
        return handle.read().decode("utf-8")


def _blobs(bundle: str) -> list[object]:
    found = []
    for match in JSON_BLOB.finditer(bundle):
        text = match.group(1)
        if "\\" in text:  # the data never needs escapes; refuse to guess
            raise SystemExit("unexpected escape sequence in an embedded JSON blob")
        found.append(json.loads(text))
    return found


def _stroke_dict(bundle: str) -> dict[str, str]:
    """The single embedded {char: letters} table of the bundle."""
    candidates = [
        blob
        for blob in _blobs(bundle)
        if isinstance(blob, dict)
        and len(blob) > 1000
        and all(isinstance(k, str) and len(k) == 1 for k in blob)
        and all(isinstance(v, str) and LETTERS.fullmatch(v) for v in blob.values())
    ]
    if len(candidates) != 1:
        raise SystemExit(f"expected one stroke table in the bundle, found {len(candidates)}")
    return candidates[0]


def _letter_classes(bundle: str) -> dict[str, str]:
    """Map each stroke letter to its basic class, from the bundle's own letter table."""
    tables = [
        blob
        for blob in _blobs(bundle)
        if isinstance(blob, dict)
        and blob
        and all(isinstance(v, dict) and "name" in v and "type" in v for v in blob.values())
    ]
    if len(tables) != 1:
        raise SystemExit(f"expected one stroke-letter table in the bundle, found {len(tables)}")
    classes = {}
    for letter, info in tables[0].items():
        names = info["name"].split("|")  # some letters cover two shapes, e.g. "横撇|横钩"
        known = {CLASS_BY_NAME[n] for n in names if n in CLASS_BY_NAME}
        if known:
            if len(known) != 1 or len(names) != 1:
                raise SystemExit(f"letter {letter!r} ({info['name']}) maps to several classes")
            classes[letter] = known.pop()
        elif info["type"] == FOLD_TYPE:
            classes[letter] = "5"
        else:
            raise SystemExit(f"cannot classify stroke letter {letter!r}: {info}")
    return classes


def build(order_tgz: Path, trad_tgz: Path) -> str:
    """Return the full text of strokes.txt."""
    _, member, integrity = PACKAGES["cnchar-order"]
    order_js = _read_bundle(order_tgz, member, integrity)
    _, member, integrity = PACKAGES["cnchar-trad"]
    trad_js = _read_bundle(trad_tgz, member, integrity)

    classes = _letter_classes(order_js)  # the trad bundle uses the same alphabet
    table: dict[str, str] = {}
    for source in (_stroke_dict(order_js), _stroke_dict(trad_js)):
        for char, letters in source.items():
            digits = "".join(classes[letter] for letter in letters)
            if table.setdefault(char, digits) != digits:
                raise SystemExit(f"{char}: the two packages disagree")

    header = [
        "# Stroke-order sequences for 姓氏笔画 sorting: <char> TAB <strokes>,",
        "# strokes as 1 横(提) 2 竖(竖钩) 3 撇 4 点(捺) 5 折.",
        "# Generated by build_strokes.py from cnchar-order {} and cnchar-trad {} (MIT,".format(
            PACKAGES["cnchar-order"][0], PACKAGES["cnchar-trad"][0]
        ),
        "# Copyright (c) 2017 - present theajack); see STROKES-LICENSE.md. Do not edit by hand.",
    ]
    body = [f"{char}\t{table[char]}" for char in sorted(table, key=ord)]
    return "\n".join(header + body) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--order", type=Path, help="cnchar-order tarball (default: npm pack)")
    parser.add_argument("--trad", type=Path, help="cnchar-trad tarball (default: npm pack)")
    parser.add_argument("--check", action="store_true", help="only verify strokes.txt is current")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        order = args.order or _npm_pack("cnchar-order", PACKAGES["cnchar-order"][0], Path(tmp))
        trad = args.trad or _npm_pack("cnchar-trad", PACKAGES["cnchar-trad"][0], Path(tmp))
        text = build(order, trad)

    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is out of date; rerun {Path(__file__).name}", file=sys.stderr)
            return 1
        print(f"{OUTPUT} is up to date")
        return 0
    OUTPUT.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {OUTPUT} ({text.count(chr(10)) - 4} characters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
