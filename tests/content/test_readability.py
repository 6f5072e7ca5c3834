"""Every lesson of the built-in course reads at Flesch–Kincaid grade 9 or below.

The grade is the standard formula, 0.39 × words per sentence + 11.8 × syllables per word − 15.59,
over the text a learner reads: the body without its Markdown marks. Only ``.``, ``!`` and ``?``
end a sentence, and a heading stands alone; a list item or table row without a full stop runs on
into the next, so lists count as the long sentences they read as. Syllables are counted as
groups of vowels, less a silent final "e", at least one a word.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

COURSE = Path(__file__).resolve().parents[2] / "lessons" / "social-media-practice"
LESSONS = sorted(COURSE.glob("*/*.md"))
HIGHEST_GRADE = 9.0

_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?=[\s\"'’”)]|$)")


def syllables(word: str) -> int:
    word = word.lower()
    if len(word) <= 3:
        return 1
    word = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", word)
    word = re.sub(r"^y", "", word)
    return max(1, len(_VOWEL_GROUPS.findall(word)))


def readable_text(markdown: str) -> str:
    """What the learner reads: links as their text, no Markdown marks; each heading a sentence."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    lines = []
    for line in text.splitlines():
        heading = line.lstrip().startswith("#")
        line = re.sub(r"^\s*(?:#+|>|[-*+]|\d+\.)\s+", "", line)
        line = " ".join(re.sub(r"[*_`]", "", line).replace("|", " ").split())
        if line:
            lines.append(line + "." if heading and not line.endswith((".", "?", "!")) else line)
    return " ".join(lines)


def fk_grade(text: str) -> float:
    words = _WORD.findall(text)
    sentences = max(1, len(_SENTENCE_END.findall(text)))
    syllable_count = sum(syllables(word) for word in words)
    return 0.39 * len(words) / sentences + 11.8 * syllable_count / len(words) - 15.59


def body_of(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("---", 2)[2]


def test_the_grade_tells_plain_from_dense_text():
    assert (
        syllables("cat") == 1 and syllables("make") == 1 and syllables("table") == 2 and syllables("organisation") == 5
    )
    plain = "We post. You reply. They read it."
    dense = (
        "Organisational communication strategies necessitate comprehensive consideration of "
        "institutional accountability mechanisms, particularly regarding authorisation procedures."
    )
    assert fk_grade(plain) < 2 < 18 < fk_grade(dense)
    assert readable_text("## A heading\n\n- **one** item\n- [a link](https://example.org)") == (
        "A heading. one item a link"
    )


def test_the_course_has_its_lessons():
    assert len(LESSONS) == 35


@pytest.mark.parametrize("path", LESSONS, ids=[f"{p.parent.name}/{p.stem}" for p in LESSONS])
def test_every_lesson_reads_at_grade_nine_or_below(path):
    grade = fk_grade(readable_text(body_of(path)))
    assert grade <= HIGHEST_GRADE, f"{path.parent.name}/{path.name} reads at grade {grade:.1f}"
