"""The web app in a real browser, against real user-data and model-serving processes.

Debian's chromium is driven by playwright-core (client/sms_web_app/e2e/inbox.e2e.mjs) in
architecture I. `make test` installs the node packages and chromium first; without them this
test is skipped and says what is missing.
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
from scripts.local_services import Service, free_port, uvicorn_service, wait_for

pytestmark = pytest.mark.e2e

WEB_APP = PROJECT_ROOT / "client" / "sms_web_app"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SCREENSHOT = PROJECT_ROOT / "images" / "sms_app.png"


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
    common = {"STORAGE_BACKEND": "sqlite", "CORS_ALLOW_ORIGINS": origin}
    users_env = {**common, "SQLITE_PATH": str(tmp_path / "users.db")}
    models_env = {
        **common,
        "SQLITE_PATH": str(tmp_path / "serving.db"),
        "SPAM_MODEL_VERSIONS": "v1",
        "MODELS_DIR": str(models_dir),
    }
    run([sys.executable, "scripts/initialize_user_api_data.py"], users_env, cwd=PROJECT_ROOT)
    run(
        [sys.executable, "scripts/initialize_model_serving_api_caches.py"],
        models_env,
        cwd=PROJECT_ROOT,
    )

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
                SCREENSHOT.parent.mkdir(exist_ok=True)
                verdict = run(
                    [node, "e2e/inbox.e2e.mjs"],
                    {**env, "PHASE": "verdict", "SCREENSHOT": str(SCREENSHOT)},
                )
                print(verdict)
                assert "spammy message: Spam" in verdict
                assert "friendly message: Ham" in verdict
                model_service.stop()
                down = run(
                    [node, "e2e/inbox.e2e.mjs"],
                    {**env, "PHASE": "model-down", "SCREENSHOT": str(tmp_path / "model_down.png")},
                )
                print(down)
                assert "model-serving service cannot be reached" in down
    assert SCREENSHOT.stat().st_size > 10_000
