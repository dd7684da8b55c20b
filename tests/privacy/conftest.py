import pytest

from elearn.privacy import holds, registry
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


@pytest.fixture
def extra_registrations():
    """Undo test-only registrations so other tests see the real registries."""
    saved = (
        dict(registry.EXPORTERS),
        list(registry.ERASERS),
        set(registry.CONFIDENTIAL),
        dict(registry.GUIDES),
        {k: set(v) for k, v in registry.EXPORTED_TABLES.items()},
        {k: set(v) for k, v in registry.ERASED_TABLES.items()},
        list(holds.HOLDS),
    )
    yield
    exporters, erasers, confidential, guides, exported, erased, held = saved
    for current, before in (
        (registry.EXPORTERS, exporters),
        (registry.CONFIDENTIAL, confidential),
        (registry.GUIDES, guides),
        (registry.EXPORTED_TABLES, exported),
        (registry.ERASED_TABLES, erased),
    ):
        current.clear()
        current.update(before)
    registry.ERASERS[:] = erasers
    holds.HOLDS[:] = held
