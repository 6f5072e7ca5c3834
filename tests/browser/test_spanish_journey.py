"""A learner who reads Spanish goes through a course written in Spanish: the login page (in
Spanish from the browser's language), a lesson with a quiz, its result, the next lesson marked as
read, and My progress. No English word may remain on any of those pages.

English is found with a list of common English words that are not also Spanish words; a page's
words are its title, the text a person sees (``innerText``) and the text read out instead of
images and controls (alt, aria-label, placeholder, title).
"""

from __future__ import annotations

import re

import pytest
import yaml

from courseware.auth.services import create_user
from courseware.content.services import import_courses
from courseware.learn.enrollment import enroll
from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

# Common English words, the interface's own words among them. Words that are Spanish too ("no",
# "a", "me", "he", "has", "red", "once", "son", "sea", "social", "personal", "mentor", "total",
# "final", "error", "plan", "idea", "min", and the months Spanish shortens alike: "feb", "mar",
# "jun", "jul", "sept", "oct", "nov"...) are left out, so that Spanish text never trips the check.
ENGLISH_WORDS = """
    the and you your yours yourself we our us they their them his she her it its this that these
    those there here what which who whom whose when where why how all any each every some many more
    most other another such only own same than too very just also again still already yet ever never
    always often soon now then before after during while until since about above below between into
    through from with without within for of to in on at by off out up down over under near back away
    is are was were be been being am do does did done doing have had having will would shall should
    may might must could can't cannot don't doesn't isn't aren't won't
    not nor but or if so because though although either neither both
    one two three four five six seven eight nine first second third last next previous
    new old good great best better well right wrong true false yes
    get got give given go going gone come coming make made take taken see seen show shown know known
    think say said tell told ask asked use used find found keep kept let put set try tried
    want need needs like look looks read write written send sent save saved saving open opens opened
    close closed start started starting continue continued stop finish finished complete completed
    completes completing answer answers answered question questions check checked checking submit
    submitted choose chosen pick picks tick ticked ticks mark marked pass passed passing fail failed
    lesson lessons course courses module modules progress learning learner learners quiz quizzes
    checklist practice reflection journal entry entries objective objectives certificate outline
    menu page pages home account sign signed log logged password address name names
    people person team teams manager managers trainer trainers review reviews reviewer reviewed
    waiting wait waits locked unlocked required optional due overdue today yesterday tomorrow
    day days week weeks month months year years hour hours minute minutes just
    january february march april june july august september october november december
    jan apr aug dec
    monday tuesday wednesday thursday friday saturday sunday
    my mine
    work works everything nothing something anything everyone nobody someone
    help settings preferences language languages time zone notifications notification
    view views back forward skip main content contents navigation breadcrumb breadcrumbs
    score scores result results percent out feedback try again well
    welcome hello thanks thank please sorry
    forgot remember reset link links file files upload uploads
    course's lesson's trainer's
"""
ENGLISH = set(ENGLISH_WORDS.split())

# Names that read as English words in some pages but are the same in every language.
ALLOWED = {"courseware"}

COURSE = {
    "slug": "escucha-activa",
    "title": "Escucha activa en las redes",
    "summary": "Cómo escuchar antes de publicar.",
    "modules": [{"slug": "inicio", "title": "Primeros pasos"}],
}
QUIZ = {
    "id": "cuestionario-1",
    "type": "quiz",
    "pass_mark": 1.0,
    "questions": [
        {
            "prompt": "¿Qué conviene hacer antes de publicar?",
            "choices": [
                {"text": "Escuchar la conversación", "correct": True, "feedback": "Exacto: escuchar orienta."},
                {"text": "Publicar a diario", "correct": False, "feedback": "Publicar sin escuchar no basta."},
            ],
        }
    ],
}
LESSONS = [
    ("escuchar", "Escuchar primero", [QUIZ], "Antes de publicar, **escucha** lo que dice tu comunidad."),
    ("objetivos", "Fijar objetivos", [], "Un objetivo dice qué quieres lograr y cómo sabrás que lo lograste."),
]


def spanish_course(root):
    """Import the Spanish course from lesson files written under ``root``."""
    folder = root / COURSE["slug"]
    (folder / "inicio").mkdir(parents=True)
    (folder / "course.yaml").write_text(yaml.safe_dump(COURSE, sort_keys=False, allow_unicode=True))
    for position, (slug, title, activities, body) in enumerate(LESSONS, start=1):
        front = yaml.safe_dump(
            {"title": title, "minutes": 5, "activities": activities}, sort_keys=False, allow_unicode=True
        )
        (folder / "inicio" / f"{position:02d}-{slug}.md").write_text(f"---\n{front}---\n\n{body}\n")
    return import_courses(str(folder)).courses[0]


WORDS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.U)
READ_OUT = """() => [...document.querySelectorAll('[alt], [aria-label], [placeholder], [title]')]
    .filter(el => el.tagName !== 'HTML')
    .flatMap(el => ['alt', 'aria-label', 'placeholder', 'title'].map(a => el.getAttribute(a)).filter(Boolean))"""


def page_text(page) -> str:
    """What a person reads on the page: its title, its visible text, and what is read out."""
    parts = [page.title(), page.evaluate("() => document.body.innerText"), *page.evaluate(READ_OUT)]
    return "\n".join(parts)


def english_words(text: str) -> list[tuple[str, str]]:
    """The English words in ``text``, each with the line it is on."""
    found = []
    for line in text.splitlines():
        for word in WORDS.findall(line):
            lowered = word.lower().replace("’", "'")
            if len(lowered) > 1 and lowered in ENGLISH and lowered not in ALLOWED:
                found.append((word, line.strip()[:100]))
    return found


def test_the_word_check_finds_english_and_lets_spanish_through():
    assert [w for w, _ in english_words("Next lesson: Escuchar primero")] == ["Next", "lesson"]
    spanish = "Lección 1 de 2 · Primeros pasos · unos 5 min. No has terminado; me quedan 2 objetivos. Red social."
    assert english_words(spanish) == []


@pytest.fixture
def spanish_learner(live_app, live_db, tmp_path):
    course = spanish_course(tmp_path)
    learner = create_user(f"lucia-{tmp_path.name[-12:]}@example.org", "Lucía Pérez", TEST_PASSWORD)
    learner.locale = "es"
    enroll(learner, course)
    live_db.session.commit()
    return learner, course


@pytest.fixture
def spanish_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-ES")
    page = context.new_page()
    yield page
    context.close()


def test_a_spanish_learner_reads_no_english_from_login_to_my_progress(spanish_page, base_url, spanish_learner):
    page = spanish_page
    learner, course = spanish_learner
    found: dict[str, list[tuple[str, str]]] = {}

    def collect(name: str) -> None:
        assert page.locator("html").get_attribute("lang") == "es", f"{name} is not in Spanish"
        words = english_words(page_text(page))
        if words:
            found[name] = words

    page.goto(f"{base_url}/login")
    collect("login")
    log_in(page, base_url, learner.email)

    page.goto(f"{base_url}/learn/{course.slug}/escuchar")
    collect("lesson with a quiz")
    page.check("input[name=q0][value='0']")
    page.click("form.quiz button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".quiz-result.passed").count() == 1
    collect("quiz result")

    page.goto(f"{base_url}/learn/{course.slug}/objetivos")
    page.click(f"form[action$='/learn/{course.slug}/objetivos/read'] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".badge-done").count() >= 1
    collect("lesson completed")

    page.goto(f"{base_url}/progress")
    assert page.locator("progress").first.get_attribute("value") == "100"
    collect("My progress")

    report = "\n".join(
        f"{name}: {', '.join(sorted({w for w, _ in words}))}\n"
        + "\n".join(f"    {word!r} in: {line}" for word, line in words[:25])
        for name, words in found.items()
    )
    if found:
        pytest.fail(f"English words remain on the Spanish pages:\n{report}", pytrace=False)
