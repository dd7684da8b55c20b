"""The read-only content page: every course, the content check, and previews."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from elearn.auth.roles import Role
from elearn.learning.models import CourseCycle, LessonRead
from elearn.quiz.models import QuizAttempt
from elearn.xapi.models import StoredStatement
from tests.content_fixtures import write_content


@pytest.fixture
def broken_content(tmp_path, app_config):
    root = write_content(tmp_path / "content-root")
    (root / "content/test-staff/02-second.md").write_text("---\ntitle: [unclosed\n---\nBody\n")
    (root / "content/stray/01-lost.md").parent.mkdir(parents=True)
    (root / "content/stray/01-lost.md").write_text("---\ntitle: Lost\nminutes: 1\n---\nHi\n")
    app_config["CONTENT_ROOT"] = str(root)
    return root


def _signed_in(client, make, role=Role.ADMIN):
    person = make.user(role, None if role is Role.ADMIN else make.academy())
    client.login(person.username)
    return person


def test_the_page_lists_every_course_with_audience_version_lessons_and_bank(client, make):
    _signed_in(client, make)
    page = client.get("/content").get_data(as_text=True)
    assert "The content check found no problems" in page
    assert "Be SMART online" in page
    assert "<td>Pupil (Year 3, Year 4, Year 5, Year 6)</td>" in page
    assert "24 questions; 5 asked, pass mark 80%" in page
    assert "5 asked, pass mark 80%" in page
    assert 'href="/content/smart-ks2/lessons/01-safe"' in page
    assert 'href="/content/smart-ks2/questions"' in page


def test_content_check_problems_are_shown_with_file_and_line(broken_content, client, make):
    _signed_in(client, make, Role.HEAD)
    page = client.get("/content").get_data(as_text=True)
    assert "The content check found" in page and "problems" in page
    assert "Not shown to learners" in page  # test-staff has a broken lesson
    assert "<code>content/test-staff/02-second.md:" in page
    assert "Problems in other files" in page and "content/stray/01-lost.md" in page
    assert "Test pupil course" in page


def _learning_rows(db):
    db.expire_all()
    return tuple(
        db.scalar(select(func.count()).select_from(table))
        for table in (CourseCycle, LessonRead, QuizAttempt, StoredStatement)
    )


def test_previews_show_lessons_and_questions_and_record_nothing(client, make, db):
    _signed_in(client, make)
    before = _learning_rows(db)
    lesson = client.get("/content/smart-ks2/lessons/02-meeting")
    assert lesson.status_code == 200
    text = lesson.get_data(as_text=True)
    assert "M is for Meeting" in text and "Opening it here records nothing" in text
    questions = client.get("/content/smart-ks2/questions")
    assert questions.status_code == 200
    body = questions.get_data(as_text=True)
    assert body.count('class="question') >= 5
    assert "disabled" in body
    assert _learning_rows(db) == before


def test_unknown_courses_and_lessons_are_404(client, make):
    _signed_in(client, make)
    assert client.get("/content/nope/questions").status_code == 404
    assert client.get("/content/smart-ks2/lessons/99-nope").status_code == 404


@pytest.mark.parametrize("role", [Role.PUPIL, Role.PARENT, Role.STAFF, Role.DSL])
def test_only_admins_and_heads_open_the_content_page(client, make, role):
    _signed_in(client, make, role)
    assert client.get("/content").status_code == 403
    assert client.get("/content/smart-ks2/lessons/01-safe").status_code == 403
