"""The sensitive-word check of public messages: the committee's list (one word or phrase per line, set
by the office) matched against the title, content and name, ignoring case, spaces, full-width forms and
punctuation put between the characters ("赌 博", "ＡＢＣ"), so that a message cannot slip a word past the
list by spacing it out. A hit never rejects a message: it holds it for a moderator's explicit check."""

import unicodedata


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in text if ch.isalnum())


def hits(words: list[str], *texts: str) -> list[str]:
    """The words of `words` found in any of `texts`, in the list's order, each once."""
    haystack = "\n".join(_folded(t) for t in texts)
    found = []
    for word in words:
        needle = _folded(word)
        if needle and needle in haystack and word not in found:
            found.append(word)
    return found
