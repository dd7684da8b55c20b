import pytest

from tests.content_fixtures import write_content


@pytest.fixture
def content_root(tmp_path, app_config):
    """The test content, with the staff quiz asking every question in its bank (so an
    attempt always holds a typed answer to the short-answer question)."""
    root = write_content(tmp_path / "content-root")
    course = root / "courses" / "test-staff.yaml"
    course.write_text(course.read_text().replace("questions: 4", "questions: 6"))
    app_config["CONTENT_ROOT"] = str(root)
    app_config["CONTENT_RELOAD_SECONDS"] = 0.001
    return root
