"""The README's story markers, read without running anything: the story test
(tests/story/test_readme_story.py) can run the README only if these hold, and they fail in a
second, not after half an hour."""

import re
from pathlib import Path

import pytest

from analysis.paths import PROJECT_ROOT
from tests.support.story import (
    Answer,
    Background,
    Command,
    Run,
    Skip,
    Stop,
    StoryError,
    parse_readme,
    split_commands,
)

README = PROJECT_ROOT / "README.md"
FENCE = "```"
# Written by `make bench` (docs/performance.md), not kept by hand.
GENERATED_DOCS = {"docs/performance.md"}


def test_the_readme_parses_into_a_story() -> None:
    steps = parse_readme(README.read_text())
    runs = [step for step in steps if isinstance(step, Run | Background)]
    skips = [step for step in steps if isinstance(step, Skip)]
    assert len(runs) > 40
    assert len(skips) <= 3, [skip.reason for skip in skips]
    assert any(isinstance(step, Answer) for step in steps)


def test_every_server_of_the_readme_is_stopped_before_its_port_is_used_again() -> None:
    running: dict[int, int] = {}
    for step in parse_readme(README.read_text()):
        if isinstance(step, Background):
            for port in step.ports:
                assert port not in running, (
                    f"README line {step.line} starts a server on {port}, still held by the "
                    f"one of line {running[port]}"
                )
                running[port] = step.line
        elif isinstance(step, Stop):
            for port in step.ports:
                assert port in running, f"README line {step.line} stops {port}: nothing runs there"
                del running[port]
    assert not running, f"servers never stopped: {running}"


def test_the_quick_start_is_one_command_to_run_and_one_to_test() -> None:
    text = README.read_text()
    quick_start = text[text.index("## Quick start") : text.index("## What is where")]
    steps = parse_readme(quick_start)
    commands = [
        command.text.split("#")[0].strip()
        for step in steps
        if isinstance(step, Run | Background | Skip)
        for command in step.commands
    ]
    assert commands[:2] == ["make stack", "make test"]


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = path.read_text()
    text = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    headings = re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)
    found: set[str] = set()
    for heading in headings:
        anchor = github_anchor(heading)
        numbered, count = anchor, 1
        while numbered in found:
            numbered = f"{anchor}-{count}"
            count += 1
        found.add(numbered)
    return found


@pytest.mark.parametrize("document", ["README.md", "docs/operations.md", "docs/design_notes.md"])
def test_every_link_of_the_docs_leads_somewhere(document: str) -> None:
    source = PROJECT_ROOT / document
    for target, anchor in re.findall(r"\]\(([^)#\s]*)(?:#([^)\s]+))?\)", source.read_text()):
        if target.startswith(("http://", "https://")):
            continue
        path = (source.parent / target).resolve() if target else source
        relative = path.relative_to(PROJECT_ROOT).as_posix()
        if relative in GENERATED_DOCS:
            continue
        assert path.exists(), f"{document} links to {target}, which does not exist"
        if anchor:
            assert anchor in anchors(path), f"{document} links to {target}#{anchor}: no heading"


def test_continued_lines_and_comments() -> None:
    commands = split_commands(10, "# a comment\ncurl -X POST x \\\n  -d '{}'\n\nls  # listed\n")
    assert [(c.line, c.text) for c in commands] == [
        (11, "curl -X POST x -d '{}'"),
        (14, "ls  # listed"),
    ]


def block(language: str, body: str, marker: str | None = None) -> str:
    head = f"<!-- story: {marker} -->\n" if marker else ""
    return f"{head}{FENCE}{language}\n{body}\n{FENCE}\n"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (block("bash", "ls", "dance"), "unknown story marker 'dance'"),
        ("<!-- story: skip why -->\nSome prose.\n" + block("bash", "ls"), "not followed by"),
        (block("bash", "ls", "skip"), "says why"),
        (block("bash", "a\nb", "background 8000"), "2 servers and 1 ports"),
        (block("bash", "curl x", "expect 200 403"), "1 requests, 2 statuses"),
        (block("sh", "ls"), "```bash block"),
        (block("bash", "ls", "answer"), "before a ```json block"),
        (block("json", "{nope", "answer"), "not JSON"),
        ("<!-- story: stop eighty -->\n", "expected port numbers"),
        (f"{FENCE}bash\nls\n", "never closed"),
        ("<!-- story: skip a --> and more\n", "alone on its line"),
    ],
)
def test_malformed_markers_are_refused(document: str, message: str) -> None:
    with pytest.raises(StoryError, match=re.escape(message)):
        parse_readme(document)


def test_markers_attach_to_the_next_block() -> None:
    document = (
        "Intro\n\n"
        + block("bash", "uvicorn app --port 8111", "background 8111")
        + "\n"
        + block("bash", "curl a\ncurl b", "expect 200 404")
        + block("json", '{"a": 1}', "answer")
        + "<!-- story: stop 8111 -->\n"
        + block("bash", "make test", "skip it runs this")
        + block("text", "not a command")
    )
    steps = parse_readme(document)
    assert steps == [
        Background(4, (Command(5, "uvicorn app --port 8111"),), (8111,)),
        Run(9, (Command(10, "curl a"), Command(11, "curl b")), (200, 404)),
        Answer(14, {"a": 1}),
        Stop(17, (8111,)),
        Skip(19, (Command(20, "make test"),), "it runs this"),
    ]


def test_every_skipped_block_says_so_where_a_reader_sees_it() -> None:
    """The skip marker is an HTML comment, hidden on GitHub: the prose just before it says that
    the story test does not run the block."""
    lines = README.read_text().splitlines()
    for step in parse_readme(README.read_text()):
        if not isinstance(step, Skip):
            continue
        marker = step.line - 2  # the marker's index: the line before the fence
        before = "\n".join(lines[max(0, marker - 4) : marker])
        assert "story test" in before, f"README line {step.line}: say that the story skips it"


def test_the_readme_holds_no_placeholder_for_a_measure() -> None:
    assert "@@" not in README.read_text()
