"""Every string a person reads is marked for translation, in templates and in Python."""

from __future__ import annotations

import pytest

from tests.i18n.marking import ROOT, python_files, readable, templates, unmarked_in_python, unmarked_in_template


@pytest.mark.parametrize("path", templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_template_text_is_marked(path):
    found = unmarked_in_template(path)
    assert not found, "\n".join(f"{path.relative_to(ROOT)}:{line}: {text!r}" for line, text in found)


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_python_messages_are_marked(path):
    found = unmarked_in_python(path)
    assert not found, "\n".join(f"{path.relative_to(ROOT)}:{line}: {text}" for line, text in found)


def test_the_finder_sees_what_is_not_marked(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '<h1>{{ _("Your courses") }}</h1>\n'
        "<p>{% trans count=n %}One lesson{% pluralize %}{{ count }} lessons{% endtrans %}</p>\n"
        '<img src="x.png" alt="A chart of progress">\n'
        "<p>Nothing marked here {{ name }}</p>\n"
        '{{ button("Save the lesson") }}\n'
        "<script>var words = 'not read';</script>\n"
        '{{ post_button(url, _("Stop"), cls="button small danger") }}\n'
    )
    found = unmarked_in_template(page)
    assert [line for line, _ in found] == [3, 4, 5]
    code = tmp_path / "code.py"
    code.write_text(
        "flash(_('Saved.'))\nflash('Not marked.')\nflash(f'Saved {name}.')\n"
        "x = StringField(_l('Name'))\ny = StringField('Title')\nraise Invalid('Too long.')\n"
    )
    assert [line for line, _ in unmarked_in_python(code)] == [2, 3, 5, 6]
    assert not readable("0 · 12 %") and not readable("SCORM") and readable("Save")
