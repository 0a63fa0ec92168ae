"""The runner behind the README's story test (tests/support/story.py), on small documents of the
tests' own: what it runs, what it checks, and each way it fails."""

import json
import shutil
import time
from pathlib import Path

import pytest

from scripts.local_services import free_port
from tests.support.story import (
    Report,
    StoryRunner,
    StoryStepError,
    parse_readme,
    port_is_listening,
    story_environment,
    write_curl_shim,
)

pytestmark = pytest.mark.integration

FENCE = "```"


def bash(*lines: str, marker: str | None = None) -> str:
    """A ```bash block, with a story marker before it."""
    head = f"<!-- story: {marker} -->\n" if marker else ""
    return head + f"{FENCE}bash\n" + "\n".join(lines) + f"\n{FENCE}\n"


def run_story(tmp_path: Path, document: str, stop_timeout_s: float = 20) -> Report:
    copy = tmp_path / "project"
    copy.mkdir(exist_ok=True)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    real_curl = shutil.which("curl")
    assert real_curl is not None
    write_curl_shim(work / "bin", work / "answers", real_curl)
    corpus = tmp_path / "corpus.csv"
    env = story_environment(copy, corpus, work / "bin")
    runner = StoryRunner(copy, env, work, work / "answers", time.monotonic() + 120)
    runner.stop_timeout_s = stop_timeout_s
    try:
        return runner.run(parse_readme(document))
    finally:
        runner.stop_all()


def static_server(port: int, directory: str = ".") -> str:
    return f"python3 -m http.server {port} --bind 127.0.0.1 --directory {directory}"


def test_a_story_runs_in_one_terminal_with_servers_and_requests(tmp_path: Path) -> None:
    port = free_port()
    document = (
        "Set up:\n\n"
        + bash("mkdir -p site && cd site", "export GREETING=hello")
        + bash(
            """echo '{"sms_id": "abc-123", "count": 2}' > answer.json""",
            'test "$GREETING" = hello',
        )
        + "Start a server:\n\n"
        + bash(static_server(port), marker=f"background {port}")
        + bash(f"curl localhost:{port}/answer.json")
        + '<!-- story: answer -->\n```json\n{"sms_id": "x", "count": 1}\n```\n'
        + bash(f"curl localhost:{port}/missing.json", marker="expect 404")
        + bash('test "<sms_id>" = abc-123')
        + f"<!-- story: stop {port} -->\n"
        + bash("echo skipped; exit 1", marker="skip because it would fail")
    )
    report = run_story(tmp_path, document)
    assert report.failure is None
    assert (report.blocks_run, report.commands_run) == (6, 7)
    assert (report.servers_started, report.servers_stopped) == (1, 1)
    assert report.requests == 2
    assert report.skipped == [{"line": 33, "reason": "because it would fail", "commands": 1}]
    assert not port_is_listening(port)


def test_a_failing_command_fails_the_story_at_its_line(tmp_path: Path) -> None:
    document = "Intro\n\n" + bash("true", "ls no-such-file")
    with pytest.raises(StoryStepError, match=r"README line 5: `ls no-such-file` exited with 2"):
        run_story(tmp_path, document)


def test_an_unexpected_status_fails_the_story(tmp_path: Path) -> None:
    port = free_port()
    document = bash(static_server(port), marker=f"background {port}") + bash(
        f"curl localhost:{port}/missing.json"
    )
    with pytest.raises(StoryStepError, match="answered 404, not a 2xx"):
        run_story(tmp_path, document)


def test_a_server_started_twice_on_a_port_fails_the_story(tmp_path: Path) -> None:
    port = free_port()
    document = bash(static_server(port), marker=f"background {port}") + bash(
        static_server(port), marker=f"background {port}"
    )
    with pytest.raises(StoryStepError, match=f"port {port} is still held by"):
        run_story(tmp_path, document)


def test_a_server_that_ctrl_c_does_not_stop_fails_the_story(tmp_path: Path) -> None:
    port = free_port()
    # A server that ignores SIGINT, as one that leaves a child behind would look.
    stubborn = f"trap '' INT; {static_server(port)}"
    document = bash(stubborn, marker=f"background {port}") + f"<!-- story: stop {port} -->\n"
    with pytest.raises(StoryStepError, match="Ctrl-C left processes"):
        run_story(tmp_path, document, stop_timeout_s=3)
    assert not port_is_listening(port)


def test_a_wrong_example_answer_fails_the_story(tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "a.json").write_text(json.dumps({"top": {"label": "ham"}}))
    document = (
        bash(static_server(port), marker=f"background {port}")
        + bash(f"curl localhost:{port}/a.json")
        + '<!-- story: answer -->\n```json\n{"top": {"label": "ham", "value": 0.9}}\n```\n'
    )
    with pytest.raises(StoryStepError, match=r"keys \['label', 'value'\] in the README"):
        run_story(tmp_path, document)


def test_a_placeholder_without_a_value_fails_the_story(tmp_path: Path) -> None:
    with pytest.raises(StoryStepError, match="<sms_id> has no value"):
        run_story(tmp_path, bash("echo <sms_id>"))
