"""docs/security.md names, for each requirement, the tests that prove it: every test it names must exist,
so that renaming or deleting one cannot leave the document pointing at nothing."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "security.md"
REFERENCE = re.compile(r"`((?:lvzhi|tests)/[\w/]+\.py)(?:::(\w+))?`")


def references():
    return REFERENCE.findall(DOC.read_text(encoding="utf-8"))


def test_the_document_names_tests():
    assert len(references()) > 100


def test_every_named_test_exists():
    missing = []
    for path, function in references():
        source = ROOT / path
        if not source.exists():
            missing.append(path)
        elif function and not re.search(rf"^def {function}\(", source.read_text(encoding="utf-8"), re.M):
            missing.append(f"{path}::{function}")
    assert not missing, "docs/security.md names tests that do not exist:\n" + "\n".join(missing)


def test_there_are_35_numbered_requirements():
    numbers = [int(n) for n in re.findall(r"^### (\d+)\. ", DOC.read_text(encoding="utf-8"), re.M)]
    assert numbers == list(range(1, 36))
