"""Vietnamese alphabetical order."""

from __future__ import annotations

from cqs.core.search import vietnamese_sort_key


def test_names_sort_in_the_vietnamese_alphabets_order_letters_before_tones():
    names = ["Y tế", "Việc làm", "Văn hóa", "Đường bộ", "Đất đai", "Dân tộc", "Giáo dục", "Âm nhạc", "Ăn uống", "An"]

    assert sorted(names, key=vietnamese_sort_key) == [
        "An",
        "Ăn uống",
        "Âm nhạc",
        "Dân tộc",
        "Đất đai",
        "Đường bộ",
        "Giáo dục",
        "Văn hóa",
        "Việc làm",
        "Y tế",
    ]


def test_tones_order_words_with_the_same_letters_and_case_is_ignored():
    assert sorted(["mạ", "Má", "mã", "mả", "mà", "ma"], key=vietnamese_sort_key) == ["ma", "mà", "mả", "mã", "Má", "mạ"]


def test_a_tone_written_before_the_letters_mark_still_makes_that_letter():
    # "ặ" decomposes as a, dot below, breve: the breve still makes it "ă".
    letters, tones = vietnamese_sort_key("Mặt")
    assert letters == vietnamese_sort_key("Măt")[0]
    assert tones == (0, 5, 0)
