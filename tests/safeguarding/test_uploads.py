"""Evidence files: checked by their content, limited in size, stored privately, served safely."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from elearn.auth.roles import Role
from elearn.safeguarding.models import Attachment, Report
from elearn.safeguarding.uploads import (
    UploadRefused,
    check_file_name,
    check_upload,
    detect_type,
    download_name,
)
from tests.safeguarding.helpers import EXE_BYTES, PDF_BYTES, png_bytes

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
GIF = b"GIF89a\x01\x00\x01\x00" + b"\x00" * 20
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (png_bytes(), "image/png"),
        (JPEG, "image/jpeg"),
        (GIF, "image/gif"),
        (WEBP, "image/webp"),
        (PDF_BYTES, "application/pdf"),
        (EXE_BYTES, None),
        (b"\x7fELF\x02\x01\x01", None),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", None),
        (b"<html><script>alert(1)</script>", None),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
    ],
)
def test_type_comes_from_the_bytes(data, expected):
    assert detect_type(data[:16]) == expected


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd.png", "..\\..\\boot.ini.png", "/etc/shadow.png", "..", "a\x00.png", ""],
)
def test_names_that_reach_for_other_folders_are_refused(name):
    with pytest.raises(UploadRefused, match="file name is not allowed"):
        check_file_name(name)


def test_ordinary_names_are_kept_readable_and_made_safe():
    assert (
        check_file_name("Screenshot 2025-03-04 at 10.15.png")
        == "Screenshot 2025-03-04 at 10.15.png"
    )
    assert check_file_name("<b>hi<i>.png") == "_b_hi_i_.png"
    assert check_file_name("x" * 300 + ".png").endswith(".png")
    assert len(check_file_name("x" * 300 + ".png")) == 120


def test_download_name_matches_the_real_type():
    assert download_name("evidence.png", "application/pdf") == "evidence.pdf"
    assert download_name("photo.JPG", "image/jpeg") == "photo.JPG"


def test_size_limit_and_empty_files():
    with pytest.raises(UploadRefused, match=r"too big\. Files can be up to 1 KB"):
        check_upload("big.png", png_bytes() + b"\x00" * 2048, max_bytes=1024)
    with pytest.raises(UploadRefused, match="empty"):
        check_upload("nothing.png", b"", max_bytes=1024)


# ---- through the real form ----------------------------------------------------------------


def _tell(client, file_bytes, name, **extra):
    data = {
        "what_happened": "A stranger asked where I live",
        "where": "a chat app",
        "when": "today",
    }
    data.update(extra)
    data["screenshot"] = (io.BytesIO(file_bytes), name)
    return client.post("/reports/tell", data=data, content_type="multipart/form-data")


def _count(db, model):
    db.rollback()
    return db.scalar(select(func.count()).select_from(model))


@pytest.fixture
def pupil(make, client):
    person = make.user(Role.PUPIL, make.academy(), display_name="Ava Jones")
    client.login(person.username)
    return person


@pytest.fixture
def one_kb_limit(app_config):
    app_config["UPLOAD_MAX_BYTES"] = 1024


def test_an_oversized_file_is_refused_and_the_words_are_kept(one_kb_limit, make, client, db):
    pupil = make.user(Role.PUPIL, make.academy())
    client.login(pupil.username)
    response = _tell(client, png_bytes() + b"\x00" * 4096, "big.png")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "The file big.png is too big. Files can be up to 1 KB." in text
    assert 'role="alert"' in text
    assert "A stranger asked where I live" in text  # nothing typed is lost
    assert _count(db, Report) == 0


def test_an_executable_renamed_png_is_refused(pupil, client, db, app_config):
    response = _tell(client, EXE_BYTES, "cute-cat.png")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "The file cute-cat.png is not a picture (PNG, JPEG, GIF or WebP) or a PDF." in text
    assert _count(db, Report) == 0 and _count(db, Attachment) == 0
    uploads = Path(app_config["DATA_DIR"]) / "uploads"
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))


def test_a_path_traversal_file_name_is_refused(pupil, client, db, app_config):
    response = _tell(client, png_bytes(), "../../../elearn/static/evil.png")
    assert response.status_code == 422
    assert "That file name is not allowed." in response.get_data(as_text=True)
    assert _count(db, Report) == 0
    assert not (Path(app_config["DATA_DIR"]).parent / "elearn").exists()


def test_a_body_larger_than_flask_accepts_gets_a_friendly_page(app, pupil, client, db):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    response = _tell(client, png_bytes() + b"\x00" * (128 * 1024), "huge.png")
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "That file is too big" in text and "Files can be up to 8 MB" in text
    assert 'href="/reports/tell"' in text
    assert _count(db, Report) == 0


def test_accepted_file_is_stored_privately_under_a_random_name(pupil, client, db, app, app_config):
    picture = png_bytes()
    response = _tell(client, picture, "my screenshot.png")
    assert response.status_code == 302
    attachment = db.scalar(select(Attachment))
    assert attachment.original_name == "my screenshot.png"
    assert attachment.content_type == "image/png"
    assert attachment.size == len(picture)
    assert len(attachment.sha256) == 64
    assert "screenshot" not in attachment.stored_name
    stored = [p for p in (Path(app_config["DATA_DIR"]) / "uploads").rglob("*") if p.is_file()]
    assert [p.name for p in stored] == [attachment.stored_name]
    assert stored[0].read_bytes() == picture
    # Nowhere under the package (so nothing under its static folder either).
    package = Path(app.root_path).resolve()
    assert package not in stored[0].resolve().parents
    assert client.get(f"/static/{attachment.stored_name}").status_code == 404


def test_data_dir_defaults_to_the_instance_folder(app_config, engine):
    from elearn import create_app
    from elearn.safeguarding.blueprint import files_dir

    app_config.pop("DATA_DIR")
    application = create_app(app_config)
    with application.app_context():
        assert files_dir() == Path(application.instance_path) / "uploads"
    application.extensions["elearn.engine"].dispose()


def _dsl_download(make, client, db, app_config, data, name):
    from elearn.safeguarding.models import ReportKind
    from tests.safeguarding.helpers import file_report

    academy = make.academy()
    pupil = make.user(Role.PUPIL, academy)
    dsl = make.user(Role.DSL, academy)
    report = file_report(
        db, pupil, ReportKind.TELL, app_config["DATA_DIR"], with_file=data, file_name=name
    )
    client.login(dsl.username)
    return client.get(f"/reports/files/{report.attachments[0].id}")


def test_pictures_and_pdfs_are_downloads_never_shown_inline(make, client, db, app_config):
    picture = _dsl_download(make, client, db, app_config, png_bytes(), "shot.png")
    assert picture.status_code == 200
    assert picture.mimetype == "image/png"
    assert picture.headers["Content-Disposition"] == "attachment; filename=shot.png"
    assert picture.headers["X-Content-Type-Options"] == "nosniff"
    assert picture.headers["Cache-Control"] == "no-store"
    assert picture.headers["Pragma"] == "no-cache"
    assert picture.data == png_bytes()

    client.logout()
    pdf = _dsl_download(make, client, db, app_config, PDF_BYTES, "notes.png")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == "attachment; filename=notes.pdf"
    assert "sandbox" in pdf.headers["Content-Security-Policy"]
