"""The web app in a real browser, against the real services as processes.

Debian's chromium is driven by playwright-core (client/sms_web_app/e2e/inbox.e2e.mjs), once in
architecture I (the text to the model API) and once in architecture II (features from the online
store through the feature-server proxy, then model v3), on the embedded default; then both again
against the whole stack on Cassandra (`make stack STORE=cassandra`). `make test` installs the node
packages and chromium first; without them these tests are skipped and say what is missing.
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from analysis.paths import PROJECT_ROOT
from scripts.local_services import Service, feature_server, free_port, uvicorn_service, wait_for
from scripts.run_stack import web_app_build_settings
from tests.support.cassandra_backend import CassandraTarget
from tests.support.feature_store import copy_store
from tests.support.stack import initialise, running_stack

pytestmark = pytest.mark.e2e

WEB_APP = PROJECT_ROOT / "client" / "sms_web_app"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Screenshots go to a git-ignored folder (SCREENSHOT_DIR, relative to the project root unless
# absolute); `make images` copies the latest into images/.
SCREENSHOT_DIR = PROJECT_ROOT / os.environ.get("SCREENSHOT_DIR", "local_data/screenshots")
SCREENSHOT = SCREENSHOT_DIR / "sms_app.png"
SCREENSHOT_II = SCREENSHOT_DIR / "sms_app_architecture_2.png"


def png_size(path: Path) -> tuple[int, int]:
    """The width and height a PNG file declares (its IHDR chunk); fails on anything else."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def assert_page_screenshot(path: Path) -> None:
    """The whole page (fullPage) at the 900 x 1100 viewport that inbox.e2e.mjs opens."""
    width, height = png_size(path)
    assert width == 900
    assert height >= 1100


def require_tools() -> str:
    node = shutil.which("node")
    missing = []
    if node is None:
        missing.append("node (install Node.js 20 or newer)")
    if not (WEB_APP / "node_modules" / "playwright-core").is_dir():
        missing.append("the web app's node packages (cd client/sms_web_app && npm ci)")
    if not CHROMIUM.exists():
        missing.append(f"chromium at {CHROMIUM} (apt-get install chromium)")
    if missing:
        pytest.skip("end-to-end test needs " + ", ".join(missing) + "; `make test` installs them")
    assert node is not None
    return node


def run(args: list[str], env: dict[str, str], cwd: Path = WEB_APP) -> str:
    result = subprocess.run(
        args, cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def prepare(
    origin: str, versions: str, models_dir: Path, tmp_path: Path
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The environment every service shares (the app's origin allowed), and those of the
    user-data API (its table made, with the sample inboxes) and of the model API (``versions``,
    its tables made)."""
    common = {"STORAGE_BACKEND": "sqlite", "CORS_ALLOW_ORIGINS": origin, "LOG_LEVEL": "WARNING"}
    users_env = {**common, "SQLITE_PATH": str(tmp_path / "users.db")}
    models_env = {
        **common,
        "SQLITE_PATH": str(tmp_path / "serving.db"),
        "SPAM_MODEL_VERSIONS": versions,
        "MODELS_DIR": str(models_dir),
    }
    for script, env in (
        ("scripts/initialize_user_api_data.py", users_env),
        ("scripts/initialize_model_serving_api_caches.py", models_env),
    ):
        initialise(script, env)
    return common, users_env, models_env


def check_in_browser(
    node: str,
    env: dict[str, str],
    screenshot: Path,
    service: Service,
    service_name: str,
    tmp_path: Path,
) -> None:
    """Judge the inbox in the browser (spam and ham as expected, ``screenshot`` saved), then
    stop ``service`` and check that a spam check names it in a friendly error."""
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.unlink(missing_ok=True)  # so that the checks below see this run's picture
    verdict = run(
        [node, "e2e/inbox.e2e.mjs"], {**env, "PHASE": "verdict", "SCREENSHOT": str(screenshot)}
    )
    print(verdict)
    assert "spammy message: Spam" in verdict
    assert "friendly message: Ham" in verdict
    service.stop()
    down = run(
        [node, "e2e/inbox.e2e.mjs"],
        {
            **env,
            "PHASE": "service-down",
            "DOWN_SERVICE": service_name,
            "SCREENSHOT": str(tmp_path / "down.png"),
        },
    )
    print(down)
    assert f"{service_name} cannot be reached" in down


@contextmanager
def static_site(folder: Path, port: int, log_dir: Path) -> Iterator[str]:
    """The built app served by a plain static file server, as any web server would."""
    url = f"http://127.0.0.1:{port}"
    with open(log_dir / "static.log", "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "http.server",
                str(port),
                "--bind",
                "127.0.0.1",
                "--directory",
                str(folder),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(f"{url}/index.html", process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_inbox_and_spam_check_in_a_real_browser(models_dir: Path, tmp_path: Path) -> None:
    node = require_tools()
    web_port = free_port()
    origin = f"http://127.0.0.1:{web_port}"
    _, users_env, models_env = prepare(origin, "v1", models_dir, tmp_path)

    with uvicorn_service("api.user_data.user_api:app", users_env, tmp_path) as users:
        model_service: Service
        with uvicorn_service(
            "api.model_serving.model_serving_api:app", models_env, tmp_path
        ) as model_service:
            build_env = {
                "VITE_MODEL_VERSION": "v1",
                "VITE_ARCHITECTURE": "I",
                "VITE_USER_DATA_API_URL": users.url,
                "VITE_MODEL_SERVING_API_URL": model_service.url,
                "VITE_REQUEST_TIMEOUT_MS": "5000",
            }
            dist = tmp_path / "dist"
            run(["npm", "run", "build", "--", "--outDir", str(dist), "--emptyOutDir"], build_env)
            with static_site(dist, web_port, tmp_path) as app_url:
                env = {"APP_URL": app_url, "USER_ID": "fiona", "CHROMIUM": str(CHROMIUM)}
                check_in_browser(
                    node, env, SCREENSHOT, model_service, "model-serving service", tmp_path
                )
    assert_page_screenshot(SCREENSHOT)


def test_architecture_2_reads_features_online_and_asks_v3(
    feature_repo: Path, models_dir: Path, tmp_path: Path
) -> None:
    node = require_tools()
    web_port = free_port()
    origin = f"http://127.0.0.1:{web_port}"
    common, users_env, models_env = prepare(origin, "v2,v3", models_dir, tmp_path)
    repo = copy_store(feature_repo, tmp_path / "store", 2021)

    with (
        uvicorn_service("api.user_data.user_api:app", users_env, tmp_path) as users,
        uvicorn_service("api.model_serving.model_serving_api:app", models_env, tmp_path) as models,
        feature_server(repo, {}, tmp_path) as feast,
    ):
        proxy_env = {**common, "SMS_FEATURE_REPO": str(repo), "FEATURE_SERVER_URL": feast.url}
        proxy_app = "api.feature_server_proxy.feature_server_proxy_api:app"
        proxy: Service
        with uvicorn_service(proxy_app, proxy_env, tmp_path) as proxy:
            # The sample messages predate the webhook: their features come from the backfill.
            backfill_env = {
                "USER_DATA_API_URL": users.url,
                "MODEL_SERVING_API_URL": models.url,
                "FEATURE_SERVER_URL": feast.url,
            }
            print(
                run([sys.executable, "scripts/backfill_features_2.py"], backfill_env, PROJECT_ROOT)
            )
            build_env = {
                "VITE_MODEL_VERSION": "v3",
                "VITE_ARCHITECTURE": "II",
                "VITE_USER_DATA_API_URL": users.url,
                "VITE_MODEL_SERVING_API_URL": models.url,
                "VITE_FEATURE_PROXY_URL": proxy.url,
                "VITE_ONLINE_FEATURES": "sms_features2:features",
                "VITE_REQUEST_TIMEOUT_MS": "5000",
            }
            dist = tmp_path / "dist"
            run(["npm", "run", "build", "--", "--outDir", str(dist), "--emptyOutDir"], build_env)
            with static_site(dist, web_port, tmp_path) as app_url:
                env = {
                    "APP_URL": app_url,
                    "USER_ID": "fiona",
                    "CHROMIUM": str(CHROMIUM),
                    "MODEL_VERSION": "v3",
                    "ARCHITECTURE": "II",
                }
                check_in_browser(node, env, SCREENSHOT_II, proxy, "feature-server proxy", tmp_path)
    assert_page_screenshot(SCREENSHOT_II)


def test_both_architectures_on_the_whole_stack_on_cassandra(
    feature_repo: Path, models_dir: Path, tmp_path: Path, cassandra_cluster: CassandraTarget
) -> None:
    node = require_tools()
    repo = copy_store(feature_repo, tmp_path / "store", 2020)  # the stack moves it to 2021
    args = [
        "--store=cassandra",
        "--no-web",
        f"--feature-repo={repo}",
        f"--models-dir={models_dir}",
        f"--data-dir={tmp_path / 'data'}",
    ]
    with (
        cassandra_cluster.keyspace("web") as keyspace,
        running_stack(args, cassandra_cluster.env(keyspace), tmp_path) as stack,
    ):
        url = stack.url
        # The stack allows its web port's origin; each build is served there in turn.
        web_port = int(url["web"].rsplit(":", 1)[1])
        for model, architecture in (("v1", "I"), ("v3", "II")):
            build_env = {
                **web_app_build_settings(url, model, architecture),
                "VITE_REQUEST_TIMEOUT_MS": "5000",
            }
            dist = tmp_path / f"dist-{architecture}"
            run(["npm", "run", "build", "--", "--outDir", str(dist), "--emptyOutDir"], build_env)
            with static_site(dist, web_port, tmp_path) as app_url:
                verdict = run(
                    [node, "e2e/inbox.e2e.mjs"],
                    {
                        "APP_URL": app_url,
                        "USER_ID": "fiona",
                        "CHROMIUM": str(CHROMIUM),
                        "MODEL_VERSION": model,
                        "ARCHITECTURE": architecture,
                        "PHASE": "verdict",
                        "SCREENSHOT": str(tmp_path / f"cassandra-{architecture}.png"),
                    },
                )
            print(f"architecture {architecture} on Cassandra:\n{verdict}")
            assert "spammy message: Spam" in verdict
            assert "friendly message: Ham" in verdict
