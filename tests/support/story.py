"""The README as a test: its command blocks, run in order, in a fresh copy of the project.

Every ```bash block of the README is run, command by command, as a reader types them in one
terminal: ``cd``, ``export`` and ``source`` carry over to the next command. A command must exit
with 0. What a reader does beside typing is written in the README as an HTML comment on a line of
its own, which GitHub does not show and every editor does:

    <!-- story: background 8000 8111 -->  the next block starts servers, one a command, each in
                                          a terminal of its own, listening on these ports (in
                                          the order of the commands); each must listen before
                                          the story goes on, on a port that no earlier server
                                          still holds
    <!-- story: stop 8000 -->             Ctrl-C in the terminals of the servers started for
                                          these ports; nothing they started may be left running,
                                          and their ports must be free again
    <!-- story: expect 201 403 -->        the HTTP statuses of the next block's requests, in
                                          order; without it, every request must get a 2xx
    <!-- story: answer -->                the next block (JSON) shows the shape of the first JSON
                                          answer of the block before it: the same keys, and
                                          values of the same types
    <!-- story: skip REASON -->           the next block is not run, for the reason given

Requests are made with curl: the story puts a ``curl`` of its own first on ``PATH``, which runs
the real curl and also keeps each answer (status, headers, body). Each JSON answer must parse
and match the response schema of the service's own OpenAPI document, when it has one. Its
top-level values fill the README's placeholders: ``<sms_id>`` in a later command is the
``sms_id`` of the latest answer that had one.

Run ``python -m tests.support.story --help`` for the command that ``tests/story`` runs, in a
network namespace of its own where ``unshare`` allows it.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import re
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psutil
from jsonschema import Draft202012Validator

MARKER = re.compile(r"^\s*<!--\s*story:\s*(?P<body>.*?)\s*-->\s*$")
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>```+)\s*(?P<language>[\w+-]*)\s*$")
PLACEHOLDER = re.compile(r"<(?P<name>[a-z][a-z0-9_]*)>")
CURL_CALL = re.compile(r"(?:^|[;&|(]\s*|\s)curl\s")
BLOCK_MARKERS = ("background", "expect", "answer", "skip")
# Languages that would hide a shell block from the story.
SHELL_ALIASES = ("sh", "shell", "console", "zsh", "shell-session")
STOP_TIMEOUT_S = 120.0  # how long Ctrl-C may take, for a whole stack
STORY_MAX_EPOCHS = 2


class StoryError(Exception):
    """The README's markers or blocks cannot be read; the message names the line."""


class StoryStepError(Exception):
    """A step of the story failed; the message says which, where in the README, and why."""


@dataclass(frozen=True)
class Command:
    line: int
    text: str

    def requests(self) -> int:
        """How many curl calls the command makes."""
        return len(CURL_CALL.findall(self.text))


@dataclass(frozen=True)
class Run:
    """A block the story types, command by command."""

    line: int
    commands: tuple[Command, ...]
    expect: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Background:
    """A block of servers, each command in a terminal of its own."""

    line: int
    commands: tuple[Command, ...]
    ports: tuple[int, ...]


@dataclass(frozen=True)
class Skip:
    line: int
    commands: tuple[Command, ...]
    reason: str


@dataclass(frozen=True)
class Stop:
    line: int
    ports: tuple[int, ...]


@dataclass(frozen=True)
class Answer:
    """An example answer in the README, for the first JSON answer of the block before it."""

    line: int
    example: object


Step = Run | Background | Skip | Stop | Answer


def split_commands(first_line: int, text: str) -> tuple[Command, ...]:
    """The commands of a block: continuation lines joined, blank lines and comments dropped."""
    commands: list[Command] = []
    pending: list[str] = []
    start = first_line
    for offset, raw in enumerate(text.splitlines()):
        line = raw.rstrip()
        if not pending:
            start = first_line + offset
            if not line.strip() or line.lstrip().startswith("#"):
                continue
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        commands.append(Command(start, " ".join(part.strip() for part in pending)))
        pending = []
    if pending:
        raise StoryError(f"line {start}: the block ends inside a continued command")
    return tuple(commands)


def _ports(line: int, words: list[str]) -> tuple[int, ...]:
    if not words or not all(word.isdigit() for word in words):
        raise StoryError(f"line {line}: expected port numbers, found {' '.join(words)!r}")
    return tuple(int(word) for word in words)


def parse_readme(text: str) -> list[Step]:
    """The story's steps, in the README's order; raise ``StoryError`` on a malformed marker."""
    lines = text.splitlines()
    steps: list[Step] = []
    pending: tuple[int, str, list[str]] | None = None  # a block marker: line, verb, words
    index = 0
    while index < len(lines):
        number, line = index + 1, lines[index]
        marker = MARKER.match(line)
        fence = FENCE.match(line)
        if marker:
            words = marker["body"].split()
            verb = words[0] if words else ""
            if verb == "stop":
                if pending:
                    raise StoryError(f"line {pending[0]}: its marker is not followed by a block")
                steps.append(Stop(number, _ports(number, words[1:])))
            elif verb in BLOCK_MARKERS:
                if pending:
                    raise StoryError(f"line {number}: one marker a block (line {pending[0]})")
                pending = (number, verb, words[1:])
            else:
                raise StoryError(f"line {number}: unknown story marker {verb!r}")
            index += 1
            continue
        if line.lstrip().startswith("<!-- story"):
            raise StoryError(f"line {number}: a story marker must be alone on its line")
        if not fence:
            if line.strip() and pending:
                raise StoryError(f"line {pending[0]}: its marker is not followed by a block")
            index += 1
            continue
        # A fenced block: find its end.
        end = index + 1
        while end < len(lines) and lines[end].strip() != fence["fence"]:
            end += 1
        if end == len(lines):
            raise StoryError(f"line {number}: the block is never closed")
        body = "\n".join(lines[index + 1 : end])
        language = fence["language"].lower()
        steps.extend(_block_step(number, language, body, pending))
        pending = None
        index = end + 1
    if pending:
        raise StoryError(f"line {pending[0]}: its marker is not followed by a block")
    return steps


def _block_step(
    number: int, language: str, body: str, marker: tuple[int, str, list[str]] | None
) -> list[Step]:
    verb, words = (marker[1], marker[2]) if marker else ("", [])
    if language in SHELL_ALIASES:
        raise StoryError(f"line {number}: write commands in a ```bash block, not ```{language}")
    if verb == "answer":
        if language != "json":
            raise StoryError(f"line {number}: an answer marker goes before a ```json block")
        try:
            return [Answer(number, json.loads(body))]
        except json.JSONDecodeError as error:
            raise StoryError(f"line {number}: the example answer is not JSON: {error}") from error
    if language != "bash":
        if marker:
            raise StoryError(f"line {marker[0]}: {verb} goes before a ```bash block")
        return []
    commands = split_commands(number + 1, body)
    if not commands:
        raise StoryError(f"line {number}: the block holds no command")
    if verb == "skip":
        if not words:
            raise StoryError(f"line {number}: a skipped block says why (skip REASON)")
        return [Skip(number, commands, " ".join(words))]
    if verb == "background":
        ports = _ports(number, words)
        if len(ports) != len(commands):
            raise StoryError(
                f"line {number}: {len(commands)} servers and {len(ports)} ports in the marker"
            )
        return [Background(number, commands, ports)]
    if verb == "expect":
        statuses = _ports(number, words)
        requests = sum(command.requests() for command in commands)
        if len(statuses) != requests:
            raise StoryError(f"line {number}: {requests} requests, {len(statuses)} statuses")
        return [Run(number, commands, statuses)]
    return [Run(number, commands)]


# --- The copy the story runs in ------------------------------------------------------------------

# Files whose dates decide whether `make` installs anything: set in the past in the copy, so that
# the environment it shares with the project (the same .venv) counts as up to date.
INSTALL_INPUTS = ("requirements.txt", "requirements-dev.txt", "pyproject.toml")
LONG_AGO = 946_684_800  # 2000-01-01


def project_files(root: Path) -> list[Path]:
    """The files a clone would hold, as they are in the working tree (uncommitted edits too)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout
    return [Path(name) for name in sorted(set(listed.decode().split("\0"))) if name]


def prepare_copy(root: Path, copy: Path, venv: Path) -> Path:
    """A fresh copy of the project at ``copy``: its files without anything generated, sharing
    the project's environment ``venv`` (a symbolic link ``.venv``)."""
    for relative in project_files(root):
        source = root / relative
        if not source.is_file():
            continue  # deleted in the working tree
        target = copy / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        shutil.copymode(source, target)
    (copy / ".venv").symlink_to(venv, target_is_directory=True)
    for name in INSTALL_INPUTS:
        os.utime(copy / name, (LONG_AGO, LONG_AGO))
    up_to_date = subprocess.run(["make", "-q", "setup"], cwd=copy, capture_output=True)
    if up_to_date.returncode != 0:
        raise StoryStepError(
            f"`make setup` would install into the shared environment {venv}: "
            "run `make setup` in the project first"
        )
    return copy


def story_environment(copy: Path, corpus: Path, bin_dir: Path) -> dict[str, str]:
    """What the story's terminal starts with: none of the caller's settings (no ``.env``, no
    ``CASSANDRA_*``), the corpus named by ``SMS_RAW_DATASET``, the epochs of the Keras models
    capped, and the story's curl first."""
    path = [str(bin_dir), "/usr/local/bin", "/usr/bin", "/bin"]
    for tool in ("python3", "make", "git", "node", "npm", "java", "mvn"):
        found = shutil.which(tool)
        if found and str(Path(found).parent) not in path:
            path.append(str(Path(found).parent))
    env = {
        "PATH": ":".join(path),
        "HOME": os.environ.get("HOME", str(Path.home())),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "SMS_RAW_DATASET": str(corpus),
        # The story checks that training runs and what it writes, not the scores: the Keras
        # models (make stack, train-2, train-3, compare) train for a few epochs only.
        "SMS_V2_MAX_EPOCHS": str(STORY_MAX_EPOCHS),
        "SMS_V3_MAX_EPOCHS": str(STORY_MAX_EPOCHS),
        # The copy shares the project's environment, whose editable install points at the
        # project: the copy's own packages come first.
        "PYTHONPATH": str(copy),
    }
    for name in ("USER", "LOGNAME", "JAVA_HOME", "TZ"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


CURL_SHIM = """#!/bin/bash
# The real curl, as the README calls it; the story test also keeps each answer.
n=$(( $(cat {counter} 2>/dev/null || echo 0) + 1 ))
echo "$n" > {counter}
answer={answers}/$(printf '%04d' "$n")
mkdir -p "$answer"
{curl} --silent --show-error --dump-header "$answer/headers" --output "$answer/body" \\
    --write-out '%{{http_code}} %{{method}} %{{url_effective}}' "$@" > "$answer/meta"
status=$?
cat "$answer/body" 2>/dev/null
exit $status
"""


def write_curl_shim(bin_dir: Path, answers: Path, real_curl: str) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    answers.mkdir(parents=True, exist_ok=True)
    shim = bin_dir / "curl"
    shim.write_text(
        CURL_SHIM.format(
            counter=shlex.quote(str(answers / "count")),
            answers=shlex.quote(str(answers)),
            curl=shlex.quote(real_curl),
        )
    )
    shim.chmod(0o755)


# --- Running it ----------------------------------------------------------------------------------


@dataclass
class HttpAnswer:
    status: int
    method: str
    url: str
    content_type: str
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)


@dataclass
class Server:
    line: int
    command: str
    port: int
    process: subprocess.Popen
    log: Path


@dataclass
class Report:
    """What the story did: the test prints it."""

    blocks_run: int = 0
    commands_run: int = 0
    requests: int = 0
    servers_started: int = 0
    servers_stopped: int = 0
    answers_checked: int = 0
    skipped: list[dict[str, object]] = field(default_factory=list)
    timings: list[dict[str, object]] = field(default_factory=list)
    failure: str | None = None


def group_members(pgid: int) -> list[psutil.Process]:
    """The live processes of a process group."""
    members = []
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) == pgid and process.status() != psutil.STATUS_ZOMBIE:
                members.append(process)
        except (ProcessLookupError, psutil.NoSuchProcess):
            continue
    return members


def listening_ports(processes: list[psutil.Process]) -> set[int]:
    ports = set()
    for process in processes:
        try:
            connections = process.net_connections(kind="tcp")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        ports |= {c.laddr.port for c in connections if c.status == psutil.CONN_LISTEN and c.laddr}
    return ports


def port_is_listening(port: int) -> bool:
    """Whether anything listens on ``port`` on loopback, IPv4 or IPv6."""
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        with socket.socket(family) as probe:
            probe.settimeout(1)
            if probe.connect_ex((host, port)) == 0:
                return True
    return False


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


def json_kind(value: object) -> str:
    """The JSON type of a parsed value (a boolean is not a number)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def shape_differences(example: object, actual: object, where: str = "$") -> list[str]:
    """How ``actual`` differs in shape from ``example``: keys, and the types of values."""
    if json_kind(example) != json_kind(actual):
        return [f"{where}: {example!r} in the README, {actual!r} in the answer"]
    if isinstance(example, dict) and isinstance(actual, dict):
        differences = []
        if set(example) != set(actual):
            differences.append(f"{where}: keys {sorted(example)} in the README, {sorted(actual)}")
        for key in sorted(set(example) & set(actual)):
            differences += shape_differences(example[key], actual[key], f"{where}.{key}")
        return differences
    if isinstance(example, list) and isinstance(actual, list) and example and actual:
        return shape_differences(example[0], actual[0], f"{where}[0]")
    return []


class StoryRunner:
    """Runs the steps of a README in ``copy``, one terminal's state carried between commands."""

    def __init__(
        self, copy: Path, env: dict[str, str], workdir: Path, answers: Path, deadline: float
    ) -> None:
        self.copy = copy
        self.workdir = workdir
        self.answers = answers
        self.deadline = deadline
        self.state = workdir / "terminal.env"
        self.cwd_file = workdir / "terminal.cwd"
        self.transcript = workdir / "transcript.log"
        self.state.write_text(
            "".join(f"export {name}={shlex.quote(value)}\n" for name, value in env.items())
        )
        self.cwd_file.write_text(str(copy))
        self.servers: dict[int, Server] = {}
        self.values: dict[str, str] = {}
        self.last_answers: list[HttpAnswer] = []
        self.seen_answers = 0
        self.openapi: dict[int, dict | None] = {}
        self.report = Report()
        self.scripts = 0
        self.stop_timeout_s = STOP_TIMEOUT_S

    # -- the terminal --

    def _script(self, command: str, save_state: bool) -> Path:
        self.scripts += 1
        script = self.workdir / f"step-{self.scripts:03d}.sh"
        body = [
            f"source {shlex.quote(str(self.state))}",
            f'cd "$(cat {shlex.quote(str(self.cwd_file))})" || exit 97',
            command,
        ]
        if save_state:
            body += [
                "__story_status=$?",
                f"export -p > {shlex.quote(str(self.state))}",
                f"pwd > {shlex.quote(str(self.cwd_file))}",
                "exit $__story_status",
            ]
        script.write_text("\n".join(body) + "\n")
        return script

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def _spawn(self, script: Path, log: Path) -> subprocess.Popen[bytes]:
        """Start a step's script in the copy, with an empty environment and in a session of its
        own (so that its whole process group can be stopped), its output going to ``log``."""
        with open(log, "w") as out:
            return subprocess.Popen(
                ["/bin/bash", "--noprofile", "--norc", str(script)],
                env={},
                cwd=self.copy,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _log(self, text: str) -> None:
        with open(self.transcript, "a") as out:
            out.write(text)

    def fill_placeholders(self, command: Command) -> str:
        def value(match: re.Match[str]) -> str:
            name = match["name"]
            if name not in self.values:
                raise StoryStepError(
                    f"README line {command.line}: <{name}> has no value: no earlier answer "
                    f"had a {name!r}"
                )
            return self.values[name]

        return PLACEHOLDER.sub(value, command.text)

    def run_command(self, command: Command) -> list[HttpAnswer]:
        text = self.fill_placeholders(command)
        script = self._script(text, save_state=True)
        log = self.workdir / f"{script.stem}.log"
        self._log(f"\n$ {text}    # README line {command.line}\n")
        started = time.monotonic()
        process = self._spawn(script, log)
        try:
            status = process.wait(timeout=max(self.remaining(), 1))
        except subprocess.TimeoutExpired:
            self._kill_group(process.pid)
            raise StoryStepError(
                f"README line {command.line}: `{text}` did not finish within the story's time\n"
                + tail(log)
            ) from None
        seconds = time.monotonic() - started
        output = log.read_text(errors="replace")
        if output and not output.endswith("\n"):
            output += "\n"
        self._log(output + f"[exit {status}, {seconds:.1f} s]\n")
        self.report.timings.append({"line": command.line, "command": text, "seconds": seconds})
        self.report.commands_run += 1
        left = group_members(process.pid)
        if left:
            self._kill_group(process.pid)
            raise StoryStepError(
                f"README line {command.line}: `{text}` left processes running "
                f"({', '.join(' '.join(p.cmdline()[:3]) for p in left)}); "
                "a server's block is marked `<!-- story: background PORT -->`"
            )
        if status != 0:
            raise StoryStepError(
                f"README line {command.line}: `{text}` exited with {status}\n" + tail(log)
            )
        return self.collect_answers()

    @staticmethod
    def _kill_group(pgid: int) -> None:
        """SIGKILL a process group, and wait until its processes are gone."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        psutil.wait_procs(group_members(pgid), timeout=10)

    # -- answers --

    def collect_answers(self) -> list[HttpAnswer]:
        folders = sorted(p for p in self.answers.iterdir() if p.is_dir())
        new = folders[self.seen_answers :]
        self.seen_answers = len(folders)
        answers = []
        for folder in new:
            meta = (folder / "meta").read_text().split(" ", 2)
            headers = (folder / "headers").read_text(errors="replace").lower()
            content_type = ""
            for line in headers.splitlines():
                if line.startswith("content-type:"):
                    content_type = line.split(":", 1)[1].strip()
            body_file = folder / "body"
            answers.append(
                HttpAnswer(
                    status=int(meta[0]),
                    method=meta[1],
                    url=meta[2] if len(meta) > 2 else "",
                    content_type=content_type,
                    body=body_file.read_bytes() if body_file.exists() else b"",
                )
            )
        return answers

    def check_answer(self, line: int, answer: HttpAnswer, expected: int | None) -> None:
        where = f"README line {line}: {answer.method} {answer.url}"
        self.report.requests += 1
        if expected is None and not 200 <= answer.status < 300:
            raise StoryStepError(
                f"{where} answered {answer.status}, not a 2xx (mark the block "
                f"`<!-- story: expect {answer.status} -->` if the README means it):\n"
                + answer.body.decode(errors="replace")[:2000]
            )
        if expected is not None and answer.status != expected:
            raise StoryStepError(
                f"{where} answered {answer.status}, the README expects {expected}:\n"
                + answer.body.decode(errors="replace")[:2000]
            )
        if "json" not in answer.content_type:
            return
        try:
            body = answer.json()
        except json.JSONDecodeError as error:
            raise StoryStepError(f"{where}: the answer is not the JSON it says: {error}") from None
        if isinstance(body, dict):
            for key, value in body.items():
                if isinstance(value, str | int | float) and not isinstance(value, bool):
                    self.values[key] = str(value)
        problems = self.schema_problems(answer, body)
        if problems:
            raise StoryStepError(
                f"{where}: the answer does not match the service's OpenAPI document:\n  "
                + "\n  ".join(problems)
            )

    def schema_problems(self, answer: HttpAnswer, body: object) -> list[str]:
        """Where ``body`` breaks the response schema the service documents, if it has one."""
        url = urlsplit(answer.url)
        if url.port is None:
            return []
        if url.port not in self.openapi:
            try:
                document = httpx.get(f"{url.scheme}://{url.netloc}/openapi.json", timeout=10)
                self.openapi[url.port] = document.json() if document.status_code == 200 else None
            except (httpx.HTTPError, json.JSONDecodeError):
                self.openapi[url.port] = None
        spec = self.openapi[url.port]
        if not spec:
            return []
        for template, operations in spec.get("paths", {}).items():
            pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
            if not re.fullmatch(pattern, url.path):
                continue
            operation = operations.get(answer.method.lower(), {})
            response = operation.get("responses", {}).get(str(answer.status), {})
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            if not schema:
                return []
            self.report.answers_checked += 1
            validator = Draft202012Validator({**schema, "components": spec.get("components", {})})
            return [
                f"{'/'.join(map(str, error.absolute_path)) or '$'}: {error.message}"
                for error in validator.iter_errors(body)
            ][:10]
        return []

    # -- servers --

    def start_server(self, line: int, command: Command, port: int) -> None:
        if port in self.servers:
            holder = self.servers[port]
            raise StoryStepError(
                f"README line {command.line}: port {port} is still held by `{holder.command}` "
                f"(README line {holder.line}): the README must say to stop it first "
                f"(<!-- story: stop {port} -->)"
            )
        if port_is_listening(port):
            raise StoryStepError(
                f"README line {command.line}: port {port} is taken before `{command.text}` starts"
            )
        text = self.fill_placeholders(command)
        script = self._script(text, save_state=False)
        log = self.workdir / f"{script.stem}-server-{port}.log"
        self._log(f"\n$ {text} &    # README line {command.line}, a server on {port}\n")
        process = self._spawn(script, log)
        server = Server(line, text, port, process, log)
        self.servers[port] = server
        self.openapi.pop(port, None)
        started = time.monotonic()
        while port not in listening_ports(group_members(process.pid)):
            if process.poll() is not None:
                del self.servers[port]
                raise StoryStepError(
                    f"README line {command.line}: the server `{text}` exited with "
                    f"{process.returncode} before it listened on {port}\n" + tail(log)
                )
            if self.remaining() < 0:
                raise StoryStepError(
                    f"README line {command.line}: `{text}` did not listen on {port} within "
                    "the story's time\n" + tail(log)
                )
            time.sleep(0.5)
        seconds = time.monotonic() - started
        self._log(f"[listening on {port} after {seconds:.1f} s]\n")
        self.report.timings.append(
            {"line": command.line, "command": f"{text} (until it listens)", "seconds": seconds}
        )
        self.report.servers_started += 1

    def stop_server(self, line: int, port: int) -> None:
        server = self.servers.pop(port, None)
        if server is None:
            raise StoryStepError(
                f"README line {line}: stop {port}, but no server of the story runs on {port}"
            )
        pgid = server.process.pid
        held = listening_ports(group_members(pgid))
        self._log(f"\n^C    # README line {line}: stop `{server.command}`\n")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGINT)
        deadline = time.monotonic() + self.stop_timeout_s
        while group_members(pgid) and time.monotonic() < deadline:
            time.sleep(0.5)
        left = group_members(pgid)
        if left:
            names = ", ".join(f"{p.pid} {' '.join(p.cmdline()[:4])}" for p in left)
            self._kill_group(pgid)
            raise StoryStepError(
                f"README line {line}: Ctrl-C left processes of `{server.command}` running "
                f"after {self.stop_timeout_s:.0f} s: {names}\n" + tail(server.log)
            )
        busy = sorted(p for p in held if port_is_listening(p))
        if busy:
            raise StoryStepError(
                f"README line {line}: after Ctrl-C of `{server.command}`, ports {busy} still answer"
            )
        self.openapi.pop(port, None)
        self.report.servers_stopped += 1

    def stop_all(self) -> list[str]:
        """Stop every server still running (at the end, or after a failure); what went wrong."""
        problems = []
        for port in list(self.servers):
            try:
                self.stop_server(0, port)
            except StoryStepError as failure:
                problems.append(str(failure))
        return problems

    # -- the story --

    def run(self, steps: list[Step]) -> Report:
        for step in steps:
            if self.remaining() < 0:
                raise StoryStepError(f"README line {step.line}: the story ran out of time")
            if isinstance(step, Skip):
                self.report.skipped.append(
                    {"line": step.line, "reason": step.reason, "commands": len(step.commands)}
                )
            elif isinstance(step, Stop):
                for port in step.ports:
                    self.stop_server(step.line, port)
            elif isinstance(step, Background):
                for command, port in zip(step.commands, step.ports, strict=True):
                    self.start_server(step.line, command, port)
                self.report.blocks_run += 1
            elif isinstance(step, Answer):
                self.check_example(step)
            else:
                self.run_block(step)
        return self.report

    def run_block(self, block: Run) -> None:
        expected = list(block.expect) if block.expect is not None else None
        answers: list[HttpAnswer] = []
        for command in block.commands:
            for answer in self.run_command(command):
                status = expected.pop(0) if expected else None
                if block.expect is not None and status is None:
                    raise StoryStepError(f"README line {command.line}: more requests than expected")
                self.check_answer(command.line, answer, status)
                answers.append(answer)
        if expected:
            raise StoryStepError(
                f"README line {block.line}: {len(expected)} expected requests were not made"
            )
        self.last_answers = answers
        self.report.blocks_run += 1

    def check_example(self, example: Answer) -> None:
        for answer in self.last_answers:
            if "json" in answer.content_type:
                differences = shape_differences(example.example, answer.json())
                if differences:
                    raise StoryStepError(
                        f"README line {example.line}: the example answer is not the shape of "
                        f"{answer.method} {answer.url}'s:\n  " + "\n  ".join(differences)
                    )
                self.report.answers_checked += 1
                return
        raise StoryStepError(f"README line {example.line}: no JSON answer before this example")


def bring_up_loopback() -> None:
    """Set ``lo`` up: a new network namespace starts with it down."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(probe, siocgifflags, request))[1]
        fcntl.ioctl(probe, siocsifflags, struct.pack("16sH14x", b"lo", flags | iff_up))


def stop_leftovers(copy: Path, env: dict[str, str]) -> list[str]:
    """End what the story left in the copy: its Cassandra node, and any process working in it."""
    stopped = []
    node = subprocess.run(
        [str(copy / ".venv" / "bin" / "python"), "-m", "scripts.cassandra.local_node", "stop"],
        cwd=copy,
        env={**env, "PATH": f"{copy / '.venv' / 'bin'}:{env['PATH']}"},
        capture_output=True,
        text=True,
    )
    if "stopped" in node.stdout.lower():
        stopped.append("the local Cassandra node")
    me = os.getpid()
    for process in psutil.process_iter():
        try:
            if process.pid == me or not Path(process.cwd()).is_relative_to(copy):
                continue
            stopped.append(" ".join(process.cmdline()[:4]))
            process.kill()
        except (psutil.NoSuchProcess, psutil.AccessDenied, FileNotFoundError):
            continue
    return stopped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readme", type=Path, required=True)
    parser.add_argument("--copy", type=Path, required=True, help="the prepared copy to run in")
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--timeout", type=float, required=True, help="seconds for the story")
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--loopback", action="store_true", help="bring lo up first (a new netns)")
    args = parser.parse_args(argv)
    if args.loopback:
        bring_up_loopback()
    steps = parse_readme(args.readme.read_text())
    bin_dir, answers = args.workdir / "bin", args.workdir / "answers"
    real_curl = shutil.which("curl")
    if real_curl is None:
        raise SystemExit("the story needs curl")
    write_curl_shim(bin_dir, answers, real_curl)
    env = story_environment(args.copy, args.corpus, bin_dir)
    runner = StoryRunner(args.copy, env, args.workdir, answers, time.monotonic() + args.timeout)
    try:
        runner.run(steps)
    except StoryStepError as failure:
        runner.report.failure = str(failure)
    finally:
        problems = runner.stop_all()
        if problems and runner.report.failure is None:
            runner.report.failure = "\n".join(problems)
        leftovers = stop_leftovers(args.copy, env)
        if leftovers:
            runner._log("\nleft by the story, stopped: " + "; ".join(leftovers) + "\n")
        args.report.write_text(json.dumps(asdict(runner.report), indent=1))
    return 0 if runner.report.failure is None else 1


if __name__ == "__main__":
    sys.exit(main())
