"""The README is its own test: every command block, in order, in a fresh copy of the project.

tests/support/story.py says how the blocks are run and what the README's story markers mean. The
story starts where a new user starts, a clone with nothing generated, and runs the quick start
(`make stack`) and then every chapter, the Cassandra one included, with the corpus given through
``SMS_RAW_DATASET``: the real one in ../shared where it is, else a small one the test writes. The
copy shares the project's virtual environment instead of installing its own.

The README's commands use the default ports. Where ``unshare`` can make a network namespace, the
story runs in one of its own, so that it never meets a server of the developer's on those ports
(and has no network, like a machine offline). Elsewhere those ports must be free, and the test
says which are not.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.paths import PROJECT_ROOT
from scripts.local_services import port_is_free
from tests.support.story import parse_readme, prepare_copy
from tests.support.synthetic_corpus import synthetic_messages, write_corpus

pytestmark = [pytest.mark.integration, pytest.mark.story]

SHARED_CORPUS = PROJECT_ROOT.parent / "shared" / "data" / "sms_spam" / "raw_dataset.csv"
STORY_TIMEOUT_S = 120 * 60
# Every port the README's commands listen on: the services, the web app, Feast's UI, Cassandra.
README_PORTS = (8000, 8111, 8222, 8999, 6566, 3000, 8888, 9042, 7000)


def network_namespace() -> list[str] | None:
    """The command prefix that runs a program in a network namespace of its own, if any works."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    if os.geteuid() == 0:
        prefix = [unshare, "--net"]
    else:
        prefix = [unshare, "--user", "--map-root-user", "--net"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, check=False)
    return prefix if probe.returncode == 0 else None


def story_corpus(tmp_path: Path) -> Path:
    """The real corpus where it is; else a synthetic one, numbered from sms10001 as the real
    one is, so that the README's examples name messages that exist."""
    if SHARED_CORPUS.is_file():
        return SHARED_CORPUS
    messages = [
        {**message, "sms_id": f"sms{10001 + index}"}
        for index, message in enumerate(synthetic_messages(count=600))
    ]
    return write_corpus(tmp_path / "corpus" / "raw_dataset.csv", messages)


def test_the_readme_runs_from_a_fresh_clone(tmp_path: Path) -> None:
    readme = PROJECT_ROOT / "README.md"
    steps = parse_readme(readme.read_text())
    copy = prepare_copy(PROJECT_ROOT, tmp_path / "sms-spam-feast", Path(sys.prefix))
    work = tmp_path / "story"
    work.mkdir()
    report_file = work / "report.json"
    command = [
        sys.executable,
        "-m",
        "tests.support.story",
        f"--readme={copy / 'README.md'}",
        f"--copy={copy}",
        f"--workdir={work}",
        f"--corpus={story_corpus(tmp_path)}",
        f"--timeout={STORY_TIMEOUT_S}",
        f"--report={report_file}",
    ]
    isolation = network_namespace()
    if isolation is not None:
        command = [*isolation, *command, "--loopback"]
    else:
        taken = [port for port in README_PORTS if not port_is_free(port)]
        if taken:
            pytest.fail(
                f"the README's ports {taken} are taken, and this machine cannot give the story "
                "a network namespace (unshare --net): stop what listens there"
            )
    result = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=STORY_TIMEOUT_S + 600,
        check=False,
    )
    assert report_file.is_file(), result.stdout + result.stderr
    report = json.loads(report_file.read_text())
    transcript = (work / "transcript.log").read_text(errors="replace")
    print(f"network namespace: {'yes' if isolation else 'no'}; {len(steps)} steps")
    print(
        f"blocks run: {report['blocks_run']}, commands: {report['commands_run']}, "
        f"requests: {report['requests']}, servers started: {report['servers_started']}, "
        f"stopped: {report['servers_stopped']}, answers checked: {report['answers_checked']}"
    )
    for skipped in report["skipped"]:
        print(f"skipped: README line {skipped['line']}: {skipped['reason']}")
    for timing in sorted(report["timings"], key=lambda t: -t["seconds"])[:12]:
        print(f"{timing['seconds']:7.1f} s  line {timing['line']}: {timing['command']}")
    assert report["failure"] is None, (
        report["failure"] + "\n--- the end of the transcript ---\n" + transcript[-6000:]
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert report["blocks_run"] > 0
