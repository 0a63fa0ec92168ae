"""Start the whole stack with one command (``make stack``, or ``make stack STORE=cassandra``).

    python scripts/run_stack.py [--store sqlite|cassandra] [--model v3] [--architecture II]
                                [--no-web] [--port-offset 0]

``make stack`` first builds what this needs (the offline sources, the feature store, the models)
and runs it. It brings the story to 2021 and keeps every service running until Ctrl-C:

0. with ``--store cassandra``: uses the cluster that ``CASSANDRA_HOSTS`` names (``.env``), or
   else starts the project's local node (``make cassandra``), and creates the keyspace
   ``CASSANDRA_KEYSPACE`` (default ``sms_spam``) if it is missing;
1. applies the feature repo at stage 2021 and materializes the online store up to now (SQLite, or
   Cassandra through ``feature_store.cassandra.yaml``);
2. creates the services' tables (and the sample inboxes) if they are missing, in SQLite files or
   in the keyspace;
3. starts Feast's feature server (6566), the model API with v1, v2 and v3 (8000), the user-data
   API (8111), the feature-server proxy (8999) and the inbox webhook (8222), each a real process
   that logs to ``local_data/logs/``;
4. pushes the features of the sample inboxes (scripts/backfill_features_2.py);
5. builds the web app for the chosen model and architecture and serves it on port 3000.

Ctrl-C stops them all, and the local Cassandra node too if this command started it.
``--port-offset N`` moves every port by N, to run beside another stack. Every port must be free
before anything starts, and each health check must be answered by the process started for it.
"""

import argparse
import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from analysis.paths import FEATURE_REPO_DIR, MODELS_DIR, PROJECT_ROOT
from api.common.settings import LOCAL_DATA_DIR
from api.model_serving.models.catalog import MODEL_CATALOG
from scripts.cassandra.cluster import cassandra_environment
from scripts.feast_sdk import open_feature_store
from scripts.local_services import (
    Service,
    feature_server,
    local_service,
    port_is_free,
    uvicorn_service,
)

WEB_APP = PROJECT_ROOT / "client" / "sms_web_app"
# Before the first event of the story (the v1 features of February 2019).
STORY_START = "2019-01-01T00:00:00"
PORTS = {"feature_server": 6566, "model_serving": 8000, "user_data": 8111, "proxy": 8999}
PORTS |= {"inbox": 8222, "web": 3000}


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(args: list[str], env: dict[str, str]) -> None:
    """Run a preparation command; stop the whole start-up, with its output, if it fails."""
    result = subprocess.run(
        args, cwd=PROJECT_ROOT, env={**os.environ, **env}, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )


def missing_prerequisites(repo: Path, models: Path) -> list[str]:
    missing = []
    offline = repo.parent / "offline_data"
    for source in ("sms_features1.parquet", "sms_labels.parquet", "sms_features2.parquet"):
        if not (offline / source).is_file():
            missing.append(str(offline / source))
    for spec in MODEL_CATALOG.values():
        if not (models / spec.folder / "metadata.json").is_file():
            missing.append(str(models / spec.folder / "metadata.json"))
    return missing


def never_materialized(repo: Path, fs_yaml: Path, env: dict[str, str]) -> list[str]:
    """The online feature views that no ``materialize`` has filled yet."""
    store = open_feature_store(repo, fs_yaml, env)
    return [
        view.name
        for view in store.list_feature_views()
        if view.online and not view.materialization_intervals
    ]


def prepare_feature_store(repo: Path, fs_yaml: Path, env: dict[str, str]) -> None:
    """Apply stage 2021 and bring the online store up to now.

    ``materialize-incremental`` continues from the last run; on an online store that was never
    filled it would start a year back (the views never expire) and miss the story's data, so the
    first run goes back to the story's start.
    """
    feast = [str(Path(sys.executable).with_name("feast")), "-c", str(repo), "-f", str(fs_yaml)]
    step(f"feature store {repo} ({fs_yaml.name}): apply stage 2021, materialize up to now")
    run([*feast, "apply"], {**env, "FEAST_STORE_STAGE": "2021"})
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    empty = never_materialized(repo, fs_yaml, env)
    if empty:
        views = [arg for name in empty for arg in ("--views", name)]
        run([*feast, "materialize", STORY_START, now, *views], env)
    run([*feast, "materialize-incremental", now], env)


def web_app_build_settings(url: dict[str, str], model: str, architecture: str) -> dict[str, str]:
    """The settings a web app build reads (Vite's ``VITE_*``): the model version, the
    architecture (I: the text to the model API; II: features from the online store through the
    proxy) and where each service answers."""
    return {
        "VITE_MODEL_VERSION": model,
        "VITE_ARCHITECTURE": architecture,
        "VITE_USER_DATA_API_URL": url["user_data"],
        "VITE_MODEL_SERVING_API_URL": url["model_serving"],
        "VITE_FEATURE_PROXY_URL": url["proxy"],
        "VITE_ONLINE_FEATURES": "sms_features2:features",
    }


@contextlib.contextmanager
def web_app(
    url: dict[str, str], model: str, architecture: str, port: int, data: Path
) -> Iterator[Service]:
    """Build the web app against the running services into ``data/web_app`` and serve the
    build on ``port``."""
    step(f"web app: build for model {model}, architecture {architecture}")
    build = web_app_build_settings(url, model, architecture)
    dist = data / "web_app"
    result = subprocess.run(
        ["npm", "run", "build", "--", "--outDir", str(dist), "--emptyOutDir"],
        cwd=WEB_APP,
        env={**os.environ, **build},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"building the web app failed:\n{result.stdout}\n{result.stderr}")
    server = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    with local_service(
        "web_app",
        [*server, "--directory", str(dist)],
        port,
        {},
        data / "logs",
        health_path="/index.html",
    ) as site:
        yield site


def wait_for_interrupt() -> None:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="==> %(message)s")
    logging.getLogger("scripts.cassandra").setLevel(logging.INFO)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--store",
        default="sqlite",
        choices=["sqlite", "cassandra"],
        help="where the online store and the services' tables live",
    )
    parser.add_argument("--model", default="v3", choices=sorted(MODEL_CATALOG))
    parser.add_argument("--architecture", default="II", choices=["I", "II"])
    parser.add_argument("--no-web", action="store_true", help="do not build and serve the web app")
    parser.add_argument("--port-offset", type=int, default=0)
    parser.add_argument("--feature-repo", type=Path, default=FEATURE_REPO_DIR)
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    parser.add_argument("--data-dir", type=Path, default=LOCAL_DATA_DIR)
    args = parser.parse_args(argv)

    repo, models, data = args.feature_repo.resolve(), args.models_dir.resolve(), args.data_dir
    missing = missing_prerequisites(repo, models)
    if missing:
        print("missing (`make stack` builds them):\n  " + "\n  ".join(missing), file=sys.stderr)
        return 2
    if not args.no_web and (shutil.which("npm") is None or not (WEB_APP / "node_modules").is_dir()):
        print("the web app needs `make web-setup` first (or pass --no-web)", file=sys.stderr)
        return 2

    port = {name: number + args.port_offset for name, number in PORTS.items()}
    if args.no_web:
        del port["web"]
    taken = [f"{name} {number}" for name, number in port.items() if not port_is_free(number)]
    if taken:
        print(
            "these ports are taken, by an earlier stack or a server started by hand: "
            + ", ".join(taken)
            + ". Stop what listens there, or move the stack with --port-offset N.",
            file=sys.stderr,
        )
        return 2

    with contextlib.ExitStack() as stack:
        store_env: dict[str, str] = {"STORAGE_BACKEND": args.store}
        fs_yaml = repo / "feature_store.yaml"
        if args.store == "cassandra":
            store_env |= stack.enter_context(cassandra_environment())
            fs_yaml = repo / "feature_store.cassandra.yaml"
        serve(args, repo, fs_yaml, models, data, port, store_env, stack)
    return 0


def serve(
    args: argparse.Namespace,
    repo: Path,
    fs_yaml: Path,
    models: Path,
    data: Path,
    port: dict[str, int],
    store_env: dict[str, str],
    services: contextlib.ExitStack,
) -> None:
    """Prepare the store and the tables, start every service, and wait for Ctrl-C."""
    url = {name: f"http://127.0.0.1:{number}" for name, number in port.items()}
    web_port = PORTS["web"] + args.port_offset
    logs = data / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    common = {
        **store_env,
        "CORS_ALLOW_ORIGINS": f"http://localhost:{web_port},http://127.0.0.1:{web_port}",
    }
    users_env = {**common, "SQLITE_PATH": str(data / "user_data.db")}
    models_env = {
        **common,
        "SQLITE_PATH": str(data / "model_serving.db"),
        "MODELS_DIR": str(models),
        "SPAM_MODEL_VERSIONS": ",".join(MODEL_CATALOG),
    }
    inbox_env = {
        **common,
        "USER_DATA_API_URL": url["user_data"],
        "MODEL_SERVING_API_URL": url["model_serving"],
        "FEATURE_SERVER_URL": url["feature_server"],
        "OUTBOX_PATH": str(data / "inbox_outbox.db"),
    }

    prepare_feature_store(repo, fs_yaml, store_env)
    step("tables: user data (with the sample inboxes) and the model API's cache and call log")
    run([sys.executable, "scripts/initialize_user_api_data.py"], users_env)
    run([sys.executable, "scripts/initialize_model_serving_api_caches.py"], models_env)

    step("starting the services")
    services.enter_context(
        feature_server(repo, store_env, logs, port["feature_server"], fs_yaml=fs_yaml)
    )
    services.enter_context(
        uvicorn_service(
            "api.model_serving.model_serving_api:app", models_env, logs, port["model_serving"]
        )
    )
    services.enter_context(
        uvicorn_service("api.user_data.user_api:app", users_env, logs, port["user_data"])
    )
    services.enter_context(
        uvicorn_service(
            "api.feature_server_proxy.feature_server_proxy_api:app",
            {
                **common,
                "SMS_FEATURE_REPO": str(repo),
                "FEAST_FS_YAML_FILE_PATH": str(fs_yaml),
                "FEATURE_SERVER_URL": url["feature_server"],
            },
            logs,
            port["proxy"],
        )
    )
    services.enter_context(
        uvicorn_service("api.inbox.inbox_api:app", inbox_env, logs, port["inbox"])
    )
    step("features of the sample inboxes (backfill)")
    run([sys.executable, "scripts/backfill_features_2.py"], inbox_env)
    if not args.no_web:
        services.enter_context(web_app(url, args.model, args.architecture, port["web"], data))

    print()
    print(f"The stack is up on {args.store} (logs in {logs}):")
    for name in port:
        print(f"  {name:<15} {url[name]}")
    print("Ctrl-C stops everything.", flush=True)
    wait_for_interrupt()
    step("stopping")


if __name__ == "__main__":
    sys.exit(main())
