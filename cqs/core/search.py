"""Vietnamese-aware text search helpers shared by every context.

PostgreSQL's `unaccent()` is not IMMUTABLE (its dictionary could change), so it cannot be used in
an index or a generated column. Core's migration defines `cqs_unaccent(text)`, an immutable
wrapper that names its dictionary explicitly, and every search column and query goes through it.
"""

from __future__ import annotations

import unicodedata

from django.db.models import Func, TextField
from django.db.models.expressions import Expression


class Normalized(Func):
    """lower(cqs_unaccent(text)): the form in which Vietnamese text is compared without accents
    ("Đăng ký khai sinh" -> "dang ky khai sinh")."""

    template = "lower(cqs_unaccent(%(expressions)s))"
    output_field = TextField()


class WordSimilarity(Func):
    """pg_trgm's word_similarity(query, text): how well the query matches some run of words."""

    function = "word_similarity"

    def __init__(self, query: Expression, text: Expression) -> None:
        from django.db.models import FloatField

        super().__init__(query, text, output_field=FloatField())


class Similarity(Func):
    """pg_trgm's similarity(a, b): how alike two whole strings are."""

    function = "similarity"

    def __init__(self, a: Expression, b: Expression) -> None:
        from django.db.models import FloatField

        super().__init__(a, b, output_field=FloatField())


def normalize_query(text: str) -> str:
    """The Python twin of `Normalized` for query strings (keeps search predictable in tests)."""
    import unicodedata

    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


# The Vietnamese alphabet's order (with the Latin letters it does not use in their places): "Đất
# đai" sorts after "Dân tộc" and before "Giáo dục", "Văn hóa" before "Việc làm". Code-point order
# puts Đ after Z and ă after i, and the embedded PostgreSQL has no ICU collation to do this in SQL.
_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: 100 + i for i, letter in enumerate(_LETTERS)}  # after spaces, digits, punctuation
_MARKED = {  # a letter and the mark (breve, circumflex, horn) that makes it another letter
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền, hỏi, ngã, sắc, nặng


def vietnamese_sort_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A key that orders Vietnamese text alphabetically: by letters first (a ă â b c d đ …), then by
    tones (none, huyền, hỏi, ngã, sắc, nặng), case ignored."""
    letters: list[int] = []
    tones: list[int] = []
    previous = ""
    for char in unicodedata.normalize("NFD", text.casefold()):
        if char in _TONES:
            if tones:
                tones[-1] = _TONES[char]
            continue
        marked = _MARKED.get((previous, char))
        if marked:
            letters[-1] = _RANK[marked]
            previous = marked
            continue
        letters.append(_RANK.get(char, ord(char) if ord(char) < 100 else 100 + len(_LETTERS) + ord(char)))
        tones.append(0)
        previous = char
    return tuple(letters), tuple(tones)
