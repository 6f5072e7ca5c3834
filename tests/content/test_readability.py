"""Every lesson of the built-in course reads at Flesch–Kincaid grade 9 or below, and every
Spanish translation of one scores 60 or more on the Fernández Huerta scale.

English. The grade is the standard formula, 0.39 × words per sentence + 11.8 × syllables per word − 15.59,
over the text a learner reads: the body without its Markdown marks. Only ``.``, ``!`` and ``?``
end a sentence, and a heading stands alone; a list item or table row without a full stop runs on
into the next, so lists count as the long sentences they read as. Syllables are counted as
groups of vowels, less a silent final "e", at least one a word.

Spanish. Fernández Huerta's adaptation of Flesch's reading ease (1959) is

    L = 206.84 − 0.60 × P − 1.02 × F

where P is syllables per 100 words and F is words per sentence, over the same readable text
(the translation's body without its Markdown marks, sentences and headings counted as above).
100 is very easy, 60–70 "normal" (a newspaper for adults), 50–60 somewhat hard; the course
asks for 60 or more. Spanish spelling is regular enough for syllables to be counted from the
vowels: each run of vowels (a e i o u, with or without accent, ü, and y at the end of a word
or alone) is one syllable for each strong vowel in it — a, e, o and the accented í and ú —
since two strong vowels side by side are in hiatus (le-er, ca-os, dí-a), while an unaccented
i or u joins its neighbour in a diphthong (ciu-dad, pue-blo, hoy); a run of weak vowels alone
is one syllable (muy), and every word has at least one. The silent u of "que", "qui", "gue"
and "gui" sits in a run with the vowel after it and so adds nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

COURSE = Path(__file__).resolve().parents[2] / "lessons" / "social-media-practice"
# A translation is named NN-slug.<language>.md; the originals are the other lesson files.
_TRANSLATION = re.compile(r"^\d+-[a-z0-9-]+\.[A-Za-z_-]+\.md$")
LESSONS = sorted(path for path in COURSE.glob("*/*.md") if not _TRANSLATION.match(path.name))
SPANISH = sorted(COURSE.glob("*/*.es.md"))
HIGHEST_GRADE = 9.0
LOWEST_SPANISH_SCORE = 60.0

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


# --- Spanish ---------------------------------------------------------------------------------

_SPANISH_WORD = re.compile(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ]+")
_SPANISH_VOWEL_RUNS = re.compile(r"[aeiouáéíóúü]+")
_STRONG = set("aeoáéíóú")


def spanish_syllables(word: str) -> int:
    word = word.lower()
    # y is a vowel at the end of a word (hoy, muy) and alone (y); elsewhere a consonant (ya, mayo).
    word = re.sub(r"y$", "i", word) if word != "y" else "i"
    runs = _SPANISH_VOWEL_RUNS.findall(word)
    return max(1, sum(max(1, sum(1 for char in run if char in _STRONG)) for run in runs))


def fernandez_huerta(text: str) -> float:
    words = _SPANISH_WORD.findall(text)
    sentences = max(1, len(_SENTENCE_END.findall(text)))
    syllables_per_100 = 100 * sum(spanish_syllables(word) for word in words) / len(words)
    return 206.84 - 0.60 * syllables_per_100 - 1.02 * len(words) / sentences


def test_the_spanish_score_tells_plain_from_dense_text():
    counted = {"casa": 2, "ciudad": 2, "leer": 2, "día": 2, "caos": 2, "poeta": 3, "que": 1, "muy": 1, "hoy": 1}
    counted |= {"y": 1, "ya": 1, "guerra": 2, "pingüino": 3, "organización": 5, "aéreo": 4, "huevo": 2}
    assert {word: spanish_syllables(word) for word in counted} == counted
    plain = "Tú escuchas. Ella responde. Todos leen el mensaje."
    dense = (
        "Las estrategias organizacionales de comunicación institucional requieren consideraciones "
        "metodológicas extraordinariamente pormenorizadas respecto de la responsabilidad corporativa."
    )
    assert fernandez_huerta(dense) < 30 < 70 < fernandez_huerta(plain)


@pytest.mark.parametrize("path", SPANISH, ids=[f"{p.parent.name}/{p.stem}" for p in SPANISH])
def test_every_spanish_lesson_reads_as_normal_or_easier(path):
    score = fernandez_huerta(readable_text(body_of(path)))
    assert score >= LOWEST_SPANISH_SCORE, f"{path.parent.name}/{path.name} scores {score:.1f} (Fernández Huerta)"


def test_every_lesson_of_the_course_has_a_spanish_translation():
    missing = [
        f"{path.parent.name}/{path.name}" for path in LESSONS if not path.with_name(path.stem + ".es.md").is_file()
    ]
    assert missing == []


@pytest.fixture(scope="module")
def spanish_lessons():
    """The built-in course's Spanish translations, read and checked by the lesson format, by file."""
    from courseware.content.format import parse_course

    course = parse_course(COURSE)
    return {
        translation.source_path.split("/", 1)[1]: translation
        for lesson in course.lessons
        for language, translation in lesson.translations.items()
        if language == "es"
    }


@pytest.mark.parametrize("path", SPANISH, ids=[f"{p.parent.name}/{p.stem}" for p in SPANISH])
def test_every_choice_of_a_spanish_quiz_has_feedback_that_teaches(path, spanish_lessons):
    spanish = spanish_lessons[f"{path.parent.name}/{path.name}"]
    for activity in spanish.activities:
        if activity["type"] != "quiz":
            continue
        for question in activity["questions"]:
            for choice in question["choices"]:
                feedback = (choice.get("feedback") or "").strip()
                assert len(feedback.split()) >= 8, f"{path.name}: thin feedback {feedback!r}"
                assert feedback.lower().strip("¡!¿?.") not in {"correcto", "incorrecto", "bien", "mal", "sí", "no"}
