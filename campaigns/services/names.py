"""What a display name may look like. The leaderboard shows it where a username would be, so a
name must not pass for another one: invisible characters, compatibility forms (full-width
letters) and letters of two alphabets (Latin "a" beside Cyrillic "а") are what impostors use.

Written here rather than taken from a confusables library: the rule is the "single script"
restriction of Unicode's security mechanisms (UTS #39) on top of NFKC, which the standard
library's `unicodedata` can answer; a full confusables table would also refuse whole-script
look-alikes, which we accept as rare.
"""

import unicodedata

from django.db.models import F, Func, Value
from django.db.models.functions import Replace

# Joiners shape Persian, Indic and emoji text: they are part of real names.
_JOINERS = {"\u200c", "\u200d"}

# Scripts that are written together in one name (Japanese mixes Han with kana, Korean Han with
# Hangul): one family.
_EAST_ASIAN = {"CJK", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA", "HANGUL", "BOPOMOFO"}


def _script(char: str) -> str:
    """The script of a letter, as the first word of its Unicode name (LATIN, CYRILLIC, GREEK …)."""
    word = unicodedata.name(char, "UNKNOWN").split(" ")[0]
    return "EAST ASIAN" if word in _EAST_ASIAN else word


def name_problem(name: str) -> str | None:
    """Why this display name could pass for another, or None."""
    for char in name:
        if unicodedata.category(char) == "Cf" and char not in _JOINERS:
            return (
                f"contains the invisible character U+{ord(char):04X}; use letters, digits, "
                "spaces and punctuation"
            )
    scripts = {_script(c) for c in unicodedata.normalize("NFKC", name) if c.isalpha()}
    if len(scripts) > 1:
        shown = " and ".join(sorted(s.title() for s in scripts)[:2])
        return f"mixes letters of two alphabets ({shown}); write it in one"
    return None


def plain_name(name: str) -> str:
    """The name as it is kept: compatibility forms as plain letters (full-width "Ａ" as "A"),
    runs of spaces one space."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


def folded(name: str) -> str:
    """The form names are compared in: the plain name without joiners, case folded."""
    return "".join(c for c in plain_name(name) if c not in _JOINERS).casefold()


def without_joiners(field: str) -> Func:
    """A kept name (`field`) without its joiners, for comparing with `folded` in the database."""
    bare: Func = Replace(F(field), Value("\u200c"), Value(""))
    return Replace(bare, Value("\u200d"), Value(""))
