"""A small course in canonical form, and helpers to write course folders for the tests."""

from __future__ import annotations

from pathlib import Path

COURSE_YAML = """\
slug: sample-course
title: Sample course
summary: A small course for tests, with every kind of activity.
modules:
  - slug: basics
    title: The basics
  - slug: extras
    title: Extras
    optional: true
"""

# Line numbers matter: the tests point at lines of this file.
FIRST_STEPS = """\
---
title: First steps
minutes: 5
activities:
  - type: quiz
    pass_mark: 2
    questions:
      - prompt: What comes first?
        choices:
          - text: Objectives
            correct: true
            feedback: They tell you what to listen for.
          - text: Posting
            correct: false
            feedback: Posting before listening misses the conversation.
      - prompt: Where can you listen?
        choices:
          - text: Forums
            correct: true
            feedback: People ask real questions there.
          - text: Saved searches
            correct: true
            feedback: They bring conversations to you.
          - text: Your own feed only
            correct: false
            feedback: You would only hear people who already follow you.
  - type: checklist
    items:
      - Save a search for the organisation's name
      - Save a search for the cause
    verified_by: trainer
---

## Why listen first

Some **bold** text and a [link](https://example.org).
"""

PRACTICE_AND_REFLECT = """\
---
title: "Practice: objectives"
minutes: 20
activities:
  - type: practice
    prompt: |
      Write three objectives for the next six months.

      Say for each one how you will know it is met.
    rubric:
      - name: Specific
        good: Each objective names what will change and for whom.
      - name: Measurable
        good: "Each has a measure: a number, or examples you will collect."
    approval: required
  - id: first-thoughts
    type: reflection
    prompt: Which of your organisation's goals could social media help with first?
  - type: reflection
    prompt: What would you tell a colleague who is starting today?
---

- one
- two
"""

JUST_READING = """\
---
title: Just reading
minutes: 3
activities: []
---

| Stage | What you do |
| --- | --- |
| First weeks | Listen |
"""

SAMPLE = {
    "course.yaml": COURSE_YAML,
    "basics/01-first-steps.md": FIRST_STEPS,
    "basics/02-practice-and-reflect.md": PRACTICE_AND_REFLECT,
    "extras/01-just-reading.md": JUST_READING,
}


def write_course(root: Path, files: dict[str, str | None] | None = None, *, slug: str = "sample-course") -> Path:
    """Write the sample course into ``root/<slug>``, changed by ``files`` (None removes a file)."""
    folder = root / slug
    merged = {**SAMPLE, **(files or {})}
    for name, text in merged.items():
        path = folder / name
        if text is None:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def read_tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its relative path, as bytes."""
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def nested_aliases(levels: int = 9, fan_out: int = 9) -> str:
    """YAML of a few hundred bytes whose aliases expand to ``fan_out ** levels`` texts when built.

    The first key is ``lol0``; the first alias is on the line after it.
    """
    lines = ["lol0: &l0 lol"]
    for level in range(1, levels + 1):
        lines.append(f"lol{level}: &l{level} [{', '.join([f'*l{level - 1}'] * fan_out)}]")
    return "\n".join(lines) + "\n"


# The sample course with translations: course titles in Spanish and French, lessons in Spanish
# (every one) and French (one). Line numbers matter here too.
TRANSLATED_COURSE_YAML = (
    COURSE_YAML
    + """\
translations:
  es:
    title: Curso de ejemplo
    summary: Un curso pequeño para las pruebas, con cada tipo de actividad.
    modules:
      basics: Lo básico
      extras: Extras
  fr:
    title: Cours d'exemple
    summary: Un petit cours pour les tests, avec chaque type d'activité.
"""
)

FIRST_STEPS_ES = """\
---
title: Primeros pasos
activities:
  - type: quiz
    pass_mark: 2
    questions:
      - prompt: ¿Qué va primero?
        choices:
          - text: Los objetivos
            correct: true
            feedback: Te dicen qué escuchar.
          - text: Publicar
            correct: false
            feedback: Si publicas antes de escuchar, te pierdes la conversación.
      - prompt: ¿Dónde puedes escuchar?
        choices:
          - text: En los foros
            correct: true
            feedback: Allí la gente hace preguntas reales.
          - text: Con búsquedas guardadas
            correct: true
            feedback: Te traen las conversaciones.
          - text: Solo en tu propio muro
            correct: false
            feedback: Solo oirías a quien ya te sigue.
  - type: checklist
    items:
      - Guarda una búsqueda con el nombre de la organización
      - Guarda una búsqueda sobre la causa
    verified_by: trainer
---

## Por qué escuchar primero

Un texto en **negrita** y un [enlace](https://example.org).
"""

PRACTICE_AND_REFLECT_ES = """\
---
title: "Práctica: objetivos"
activities:
  - type: practice
    prompt: |
      Escribe tres objetivos para los próximos seis meses.

      Di para cada uno cómo sabrás que se cumple.
    rubric:
      - name: Concreto
        good: Cada objetivo dice qué cambiará y para quién.
      - name: Medible
        good: >
          Cada uno tiene una medida: un número, o ejemplos que reunirás.
    approval: required
  - id: first-thoughts
    type: reflection
    prompt: ¿En cuál de los fines de tu organización podrían ayudar primero las redes sociales?
  - type: reflection
    prompt: ¿Qué le dirías a un colega que empieza hoy?
---

- uno
- dos
"""

JUST_READING_ES = """\
---
title: Solo lectura
---

| Etapa | Qué haces |
| --- | --- |
| Primeras semanas | Escuchar |
"""

JUST_READING_FR = """\
---
title: Lecture seule
---

| Étape | Ce que vous faites |
| --- | --- |
| Premières semaines | Écouter |
"""

TRANSLATED = {
    "course.yaml": TRANSLATED_COURSE_YAML,
    "basics/01-first-steps.es.md": FIRST_STEPS_ES,
    "basics/02-practice-and-reflect.es.md": PRACTICE_AND_REFLECT_ES,
    "extras/01-just-reading.es.md": JUST_READING_ES,
    "extras/01-just-reading.fr.md": JUST_READING_FR,
}
