import pytest

from tests.content_fixtures import write_content


@pytest.fixture
def content_root(tmp_path, app_config):
    root = write_content(tmp_path / "content-root")
    app_config["CONTENT_ROOT"] = str(root)
    app_config["CONTENT_RELOAD_SECONDS"] = 0.001
    return root
