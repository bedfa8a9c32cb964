"""Vietnamese-aware text search helpers shared by every context.

PostgreSQL's `unaccent()` is not IMMUTABLE (its dictionary could change), so it cannot be used in
an index or a generated column. Core's migration defines `cqs_unaccent(text)`, an immutable
wrapper that names its dictionary explicitly, and every search column and query goes through it.
"""

from __future__ import annotations

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
