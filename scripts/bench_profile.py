"""Where a service's time goes under one request kind of ``make bench``, sampled with py-spy.

Starts the service as ``make bench`` does, sends the request kind in a loop over one keep-alive
connection, and meanwhile records the server process with py-spy (``--seconds``, 250 samples a
second; idle threads, such as an event loop waiting for the next request, are not sampled).
Then prints the functions most often on the stack (inclusive) and at its top (self), as shares
of the samples. This is how docs/performance.md explains the goals that are not met.

    python scripts/bench_profile.py v3-miss [--seconds 20]

Kinds: ``v1-miss``, ``v2-miss``, ``v3-miss``, ``v1-hit-db`` (the model API; the last with its
in-memory cache off), ``proxy-feature-server`` and
``proxy-online-store`` (the proxy reading one id), ``webhook`` (the inbox webhook). py-spy needs
the right to trace the process (root, or ``kernel.yama.ptrace_scope`` 0).
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from analysis.paths import MODELS_DIR
from scripts import bench_feature_proxy
from scripts.bench_load import start_services
from scripts.bench_model_serving import predict_path, serving_env
from scripts.local_services import Service, feature_server, uvicorn_service

PROXY_APP = "api.feature_server_proxy.feature_server_proxy_api:app"
KINDS = (
    "v1-miss",
    "v2-miss",
    "v3-miss",
    "v1-hit-db",
    "proxy-feature-server",
    "proxy-online-store",
    "webhook",
)


@contextmanager
def target(kind: str, workdir: Path) -> Iterator[tuple[Service, Callable[[int], httpx.Request]]]:
    """The server to sample, and the request to send it (by number)."""
    with ExitStack() as stack:
        if kind.startswith("v"):
            version = kind.split("-")[0]
            hit_from_db = kind.endswith("-hit-db")
            env = serving_env(MODELS_DIR, workdir, 0 if hit_from_db else 10_000, version)
            svc = stack.enter_context(
                uvicorn_service("api.model_serving.model_serving_api:app", env, workdir)
            )

            def request(i: int) -> httpx.Request:
                body = {"text": "the same text" if hit_from_db else f"profiled {i}"}
                return httpx.Request("POST", svc.url + predict_path(version), json=body)

        elif kind.startswith("proxy-"):
            repo, ids = bench_feature_proxy.prepare_store(workdir)
            feast = stack.enter_context(feature_server(repo, {}, workdir))
            source = kind.removeprefix("proxy-").replace("-", "_")
            env = {
                "PROXY_SOURCE": source,
                "SMS_FEATURE_REPO": str(repo),
                "FEATURE_SERVER_URL": feast.url,
                "LOG_LEVEL": "WARNING",
            }
            svc = stack.enter_context(
                uvicorn_service(
                    "api.feature_server_proxy.feature_server_proxy_api:app", env, workdir
                )
            )

            def request(i: int) -> httpx.Request:
                body = {
                    "features": bench_feature_proxy.FEATURES,
                    "entities": {"sms_id": [ids[i % len(ids)]]},
                }
                return httpx.Request("POST", svc.url + "/get-online-features", json=body)

        else:
            svc = start_services(workdir, MODELS_DIR, {}, stack)["inbox"]

            def request(i: int) -> httpx.Request:
                body = {"user_id": "otto", "sender_id": "gateway", "sms_text": f"profiled {i}"}
                headers = {"Idempotency-Key": f"profiled-{i}"}
                return httpx.Request("POST", svc.url + "/sms", json=body, headers=headers)

        yield svc, request


def summarize(raw: str, top: int) -> list[str]:
    """py-spy's raw (collapsed) stacks as the ``top`` functions by inclusive and self share."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        samples = int(count)
        total += samples
        frames = [frame.split(" (")[0] for frame in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    lines = [f"{total} samples"]
    for title, counter in (("inclusive", inclusive), ("self", own)):
        lines.append(f"-- {title}")
        for frame, samples in counter.most_common(top):
            lines.append(f"{100 * samples / total:5.1f}%  {frame}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        print("py-spy is missing (make setup installs it)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        with target(args.kind, workdir) as (svc, request), httpx.Client(timeout=30) as client:
            for i in range(200):  # warm-up
                client.send(request(-1 - i)).raise_for_status()
            done = threading.Event()

            def drive() -> None:
                i = 0
                while not done.is_set():
                    client.send(request(i))
                    i += 1

            driver = threading.Thread(target=drive)
            driver.start()
            output = workdir / "profile.txt"
            record = [py_spy, "record", "-p", str(svc.process.pid), "-d", str(args.seconds)]
            record += ["-r", "250", "-f", "raw", "-o", str(output), "--nonblocking"]
            try:
                subprocess.run(
                    record,
                    check=True,
                    capture_output=True,
                )
            finally:
                done.set()
                driver.join()
            print(f"{args.kind}: py-spy, {args.seconds} s of the server under one client")
            print("\n".join(summarize(output.read_text(), args.top)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
