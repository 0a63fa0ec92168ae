"""Every service's OpenAPI document against the service itself, by schemathesis, over real
processes: every check, a bounded number of examples per operation, a fixed seed, then a random
seed that is printed so that a failure it finds can be replayed (``--seed``).

The checks include that a request the document allows is accepted and one it forbids is refused,
so the document must say exactly what each route takes. The regression cases they found live as
plain tests beside each service's unit tests.
"""

import json
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.stack import LocalStack

pytestmark = pytest.mark.integration

FIXED_SEED = 2021
EXAMPLES_FIXED_SEED = 25
EXAMPLES_RANDOM_SEED = 10
RUN_TIMEOUT_S = 600  # per run: the bound on a run that hangs
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).with_name("schemathesis.toml")


@pytest.fixture(scope="module")
def stack(
    feature_repo: Path, models_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalStack]:
    running = LocalStack(feature_repo, models_dir, tmp_path_factory.mktemp("fuzzing"))
    try:
        running.start_all()
        yield running
    finally:
        running.stop_all()


def fuzz(url: str, seed: int, examples: int, workdir: Path) -> dict:
    """One schemathesis run over the service at ``url``; its JSON report."""
    report = workdir / f"report-{seed}.json"
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(CONFIG),
            "run",
            f"{url}/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            str(examples),
            "--seed",
            str(seed),
            "--workers",
            "1",
            "--no-color",
            "--report",
            "json",
            "--report-json-path",
            str(report),
        ],
        cwd=workdir,  # hypothesis keeps its example database in the working directory
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )
    assert report.is_file(), run.stdout + run.stderr
    result = json.loads(report.read_text())
    assert run.returncode == 0, run.stdout[-20_000:]
    return result


@pytest.mark.parametrize("service", ["users", "models", "proxy", "inbox"])
def test_every_service_does_what_its_specification_says(
    stack: LocalStack, service: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    random_seed = random.SystemRandom().randrange(2**32)
    for seed, examples in ((FIXED_SEED, EXAMPLES_FIXED_SEED), (random_seed, EXAMPLES_RANDOM_SEED)):
        with capsys.disabled():  # the seed is printed before the run, so a hang still shows it
            print(f"\nschemathesis {service}: seed {seed}, {examples} examples per operation")
        result = fuzz(stack.url(service), seed, examples, tmp_path)
        cases = result["test_cases"]
        with capsys.disabled():
            print(
                f"schemathesis {service}: seed {seed}: {cases['generated']} cases, "
                f"{len(result['failures'])} failures, {len(result['errors'])} errors"
            )
        assert result["failures"] == []
        assert result["errors"] == []
        assert result["operations"]["tested"] == result["operations"]["total"]
        assert cases["generated"] > 0
