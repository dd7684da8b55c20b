"""After erasure the person's name, username and e-mail address are nowhere: not in any
column of any table, not on any page."""

from __future__ import annotations

from sqlalchemy import JSON, String, Text, func, select
from sqlalchemy import cast as sql_cast

from elearn.db import Base
from elearn.learning.models import Certificate
from elearn.quiz.models import AttemptAnswer, QuizAttempt
from elearn.xapi.models import StoredStatement
from tests.privacy import people

TERMS = (people.NAME, people.USERNAME, people.EMAIL)


def text_columns_holding(engine, term: str) -> list[str]:
    """``table.column`` for every text, varchar or JSON column with ``term`` in some row."""
    found = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, String | Text | JSON):
                    continue
                value = sql_cast(column, Text) if isinstance(column.type, JSON) else column
                hits = conn.scalar(
                    select(func.count())
                    .select_from(table)
                    .where(func.lower(value).contains(term.lower(), autoescape=True))
                )
                if hits:
                    found.append(f"{table.name}.{column.name}")
    return found


def database_dump(engine) -> str | None:
    """The whole SQLite database as SQL text (None on other databases)."""
    if engine.dialect.name != "sqlite":
        return None
    raw = engine.raw_connection()
    try:
        return "\n".join(raw.driver_connection.iterdump())
    finally:
        raw.close()


def pages_seen_by_staff(app, everything: people.Everything) -> dict[str, str]:
    person, academy = everything.person, everything.academy
    anyone, admin, lead = app.test_client(), app.test_client(), app.test_client()
    admin.login(everything.admin.username)
    lead.login(everything.dsl.username)
    wanted = {
        f"/verify/{everything.certificate_code}": anyone,
        f"/admin/people/{person.id}": admin,
        "/admin/people?inactive=1": admin,
        "/compliance/": lead,
        f"/compliance/academies/{academy.id}": lead,
        "/compliance/trust": admin,
        f"/compliance/export.csv?academy={academy.id}": lead,
        f"/compliance/print?academy={academy.id}": lead,
        "/admin/lrs": admin,
    }
    pages = {}
    for url, client in wanted.items():
        response = client.get(url)
        # An erased person's own admin page is gone (nothing personal is left to show).
        gone = url == f"/admin/people/{person.id}" and person.erased_at is not None
        assert response.status_code == (404 if gone else 200), url
        pages[url] = response.get_data(as_text=True)
    return pages


def test_erasure_leaves_no_name_username_or_email_in_any_column_or_page(
    content_root, app, make, db
):
    everything = people.build(app, make, db)
    engine = app.extensions["elearn.engine"]
    # The checks below can see the person: before erasure they are everywhere.
    before = {term: text_columns_holding(engine, term) for term in TERMS}
    assert {"users.display_name", "certificates.holder_name", "audit_entries.detail"} <= set(
        before[people.NAME]
    )
    assert "xapi_statements.payload" in before[people.NAME]
    assert "attempt_answers.response_text" in before[people.NAME]
    assert "course_cycles.evidence_note" in before[people.NAME]
    assert "login_attempts.username" in before[people.USERNAME]
    assert "xapi_statements.actor_key" in before[people.EMAIL]
    assert (
        people.NAME
        in pages_seen_by_staff(app, everything)[f"/verify/{everything.certificate_code}"]
    )

    admin = app.test_client()
    admin.login(everything.admin.username)
    erased = admin.post(
        f"/admin/people/{everything.person.id}/erase", data={"confirm": people.USERNAME}
    )
    assert erased.status_code == 302
    flashed = admin.get(erased.headers["Location"]).get_data(as_text=True)
    assert "have been erased" in flashed

    db.refresh(everything.person)
    for term in TERMS:
        assert text_columns_holding(engine, term) == [], term
    dump = database_dump(engine)
    if dump is not None:
        for term in TERMS:
            assert term.lower() not in dump.lower(), term
    for url, html in pages_seen_by_staff(app, everything).items():
        for term in TERMS:
            assert term.lower() not in html.lower(), (url, term)
        assert "Ruby" not in html, url

    search = admin.get(f"/admin/people?inactive=1&q={people.USERNAME}").get_data(as_text=True)
    assert f'href="/admin/people/{everything.person.id}"' not in search

    verify = pages_seen_by_staff(app, everything)[f"/verify/{everything.certificate_code}"]
    assert "This certificate is genuine" in verify
    assert "personal details have been removed" in verify

    # What is kept: scores and whether each answer was right; the statements, by opaque id.
    db.expire_all()
    answers = db.scalars(
        select(AttemptAnswer)
        .join(QuizAttempt)
        .where(QuizAttempt.user_id == everything.person.id)
        .order_by(AttemptAnswer.position)
    ).all()
    typed = next(a for a in answers if a.question_id == "test-staff-short")
    assert typed.response_text == "" and typed.response is None and typed.success is False
    assert sum(a.success for a in answers) == 5
    kept = db.scalars(
        select(StoredStatement).where(StoredStatement.user_id == everything.person.id)
    ).all()
    assert kept and all(everything.person.xapi_id in row.actor_key for row in kept)
    certificate = db.scalar(select(Certificate).where(Certificate.user_id == everything.person.id))
    assert certificate.holder_name is None and certificate.course_title
