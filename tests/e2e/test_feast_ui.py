"""Feast's own web UI, ``feast ui``, as a real process over a copy of the feature repo, opened in a
real browser (client/sms_web_app/e2e/feast_ui.e2e.mjs).

``feast ui`` exits at start-up with ``ModuleNotFoundError: grpc_health`` unless the dev
requirements' ``grpcio-health-checking`` and ``grpcio-reflection`` are installed: the start-up
failure then fails this test with the process's output.
"""

import sys
from pathlib import Path

import pytest

from scripts.local_services import free_port, local_service
from tests.e2e.test_web_app import CHROMIUM, SCREENSHOT_DIR, png_size, require_tools, run
from tests.support.feature_store import SQLITE, copy_store

pytestmark = pytest.mark.e2e

SCREENSHOT = SCREENSHOT_DIR / "feast_ui.png"


def test_feast_ui_shows_the_projects_views_and_services(feature_repo: Path, tmp_path: Path) -> None:
    node = require_tools()
    repo = copy_store(feature_repo, tmp_path / "store", 2021)
    store = SQLITE.sdk(repo)
    views = sorted(view.name for view in store.list_feature_views())
    services = sorted(service.name for service in store.list_feature_services())
    sources = sorted(source.name for source in store.list_data_sources())
    assert views == ["sms_features1", "sms_features2", "sms_labels"]
    assert services == ["labeled_sms_1", "labeled_sms_2"]

    port = free_port()
    feast = Path(sys.executable).with_name("feast")
    args = [str(feast), "-c", str(repo), "ui", "--host", "127.0.0.1", "--port", str(port)]
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    with local_service("feast_ui", args, port, {}, tmp_path, "/projects-list.json") as ui:
        shown = run(
            [node, "e2e/feast_ui.e2e.mjs"],
            {"FEAST_UI_URL": ui.url, "SCREENSHOT": str(SCREENSHOT), "CHROMIUM": str(CHROMIUM)},
        )
    print(shown)
    assert f"feature views: {', '.join(views)}\n" in shown
    assert f"feature services: {', '.join(services)}\n" in shown
    lineage = next(line for line in shown.splitlines() if line.startswith("lineage: "))
    drawn = set(lineage.removeprefix("lineage: ").split(", "))
    # The lineage graph links the batch sources to the views, and the views to the services.
    assert {*views, *services, "sms"} <= drawn
    assert {s for s in sources if s.endswith("_source")} <= drawn
    assert png_size(SCREENSHOT) == (1280, 1000)  # the viewport feast_ui.e2e.mjs opens
