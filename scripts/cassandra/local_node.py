"""A single Apache Cassandra node on loopback, started from Maven Central's jars.

Maven Central carries the server jar (``org.apache.cassandra:cassandra-all``) and its
dependencies, but no distribution tarball, so this module does what ``bin/cassandra`` would: it
resolves the jars with Maven (``pom.xml`` beside this file), writes the node's configuration into
its home folder, and runs ``CassandraDaemon`` in a JVM of its own session, so that the node
outlives the command that started it. A node is identified by its home folder: starting a
running node again is a no-op, and a restarted node keeps its data.

    python -m scripts.cassandra.local_node start     # make cassandra
    python -m scripts.cassandra.local_node status
    python -m scripts.cassandra.local_node stop      # make cassandra-stop

Tests import :class:`LocalNode` to start nodes of their own on other ports and folders.

This folder has no ``__init__.py`` on purpose: the scripts in ``scripts/`` run with ``scripts/``
first on ``sys.path``, and a regular package named ``cassandra`` there would hide the driver of
that name. As a namespace package it never does, and ``python -m scripts.cassandra.local_node``
still works.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parent.parent
DEFAULT_HOME = PROJECT_ROOT / "local_data" / "cassandra"
POM = HERE / "pom.xml"
CONFIG_TEMPLATE = HERE / "cassandra.yaml"
LOGBACK = HERE / "logback.xml"
PORTS_FILE = "ports.json"  # in the node's home: the ports it was last started with

# Cassandra 5.0's conf/jvm17-server.options: what its code reaches into on Java 17.
JAVA17_MODULE_FLAGS = (
    "-Djdk.attach.allowAttachSelf=true",
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
    "--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED",
    "--add-exports=java.sql/java.sql=ALL-UNNAMED",
    "--add-exports=java.base/java.lang.ref=ALL-UNNAMED",
    "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.module=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.math=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.module=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED",
    "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dio.netty.allocator.useCacheForAllThreads=true",
    "-Dio.netty.allocator.maxOrder=11",
)


class NodeError(RuntimeError):
    """The node cannot be started, or did not become ready; the message says why."""


def missing_tools() -> list[str]:
    """What this machine lacks to run a local node: empty when Java 11/17 and Maven are there."""
    missing = []
    java = shutil.which("java")
    if java is None:
        missing.append("java (OpenJDK 17) is not on PATH")
    else:
        version = java_major_version(java)
        if version not in (11, 17):
            missing.append(f"Cassandra 5.0 needs Java 11 or 17, and `java` is version {version}")
    if shutil.which("mvn") is None:
        missing.append("mvn (Maven 3) is not on PATH")
    return missing


def java_major_version(java: str) -> int | None:
    """The major version `java -version` reports (8 for 1.8), or None if it cannot be read."""
    result = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    for word in result.stderr.split():
        text = word.strip('"')
        if text[:1].isdigit():
            parts = text.split(".")
            major = int(parts[1]) if parts[0] == "1" and len(parts) > 1 else int(parts[0])
            return major
    return None


def cassandra_version() -> str:
    """The Cassandra release pinned in the pom."""
    text = POM.read_text()
    start = text.index("<cassandra.version>") + len("<cassandra.version>")
    return text[start : text.index("</cassandra.version>")]


def resolve_jars(cache: Path) -> Path:
    """The folder of the pinned release's runtime jars, copied there by Maven on first use."""
    lib = cache / f"lib-{cassandra_version()}"
    marker = lib / ".complete"
    if marker.is_file():
        return lib
    staging = cache / f".{lib.name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    logger.info("resolving Cassandra %s with Maven into %s", cassandra_version(), lib)
    result = subprocess.run(
        [
            "mvn",
            "-B",
            "-q",
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}",
            "-DincludeScope=runtime",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        output = result.stdout + result.stderr
        raise NodeError(f"Maven could not resolve Cassandra's jars:\n{output}")
    shutil.rmtree(lib, ignore_errors=True)
    staging.rename(lib)
    marker.write_text(cassandra_version() + "\n")
    return lib


def port_is_open(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts TCP connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


@dataclass
class LocalNode:
    """One node: its home folder (configuration, data, logs, pid file) and its two ports."""

    home: Path = DEFAULT_HOME
    port: int = 9042
    storage_port: int = 7000
    heap: str = "1G"
    jar_cache: Path = field(default=DEFAULT_HOME.parent / "cassandra-jars")

    @classmethod
    def running_in(cls, home: Path) -> LocalNode | None:
        """The node whose JVM runs from ``home``, on the ports it was started with, if any."""
        try:
            ports = json.loads((home / PORTS_FILE).read_text())
        except (FileNotFoundError, ValueError):
            return None
        node = cls(home, ports["port"], ports["storage_port"])
        return node if node.pid() is not None else None

    @property
    def pid_file(self) -> Path:
        return self.home / "cassandra.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "system.log"

    def pid(self) -> int | None:
        """The JVM's process id, if this node's JVM is alive."""
        try:
            pid = int(self.pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        # A recycled pid belongs to some other program: the JVM names this node's home.
        return pid if str(self.home).encode() in cmdline else None

    def answers(self, timeout: float = 5.0) -> bool:
        """Whether a CQL query gets an answer from this node's native port."""
        if not port_is_open(self.port):
            return False
        from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
        from cassandra.policies import RoundRobinPolicy

        profile = ExecutionProfile(
            load_balancing_policy=RoundRobinPolicy(), request_timeout=timeout
        )
        cluster = Cluster(
            ["127.0.0.1"],
            port=self.port,
            connect_timeout=timeout,
            control_connection_timeout=timeout,
            execution_profiles={EXEC_PROFILE_DEFAULT: profile},
            protocol_version=5,
        )
        try:
            cluster.connect().execute("SELECT release_version FROM system.local")
            return True
        except Exception:  # any failure (no host, timeout, bootstrapping) means "not yet"
            return False
        finally:
            cluster.shutdown()

    def write_config(self) -> Path:
        """The node's cassandra.yaml and logback.xml, written into its home; returns conf/."""
        conf = self.home / "conf"
        conf.mkdir(parents=True, exist_ok=True)
        ports = {
            "native_transport_port": self.port,
            "storage_port": self.storage_port,
        }
        lines = []
        for line in CONFIG_TEMPLATE.read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in ports:
                line = f"{key}: {ports[key]}"
            elif '- seeds: "127.0.0.1:' in line:
                line = line.split('"')[0] + f'"127.0.0.1:{self.storage_port}"'
            lines.append(line)
        (conf / "cassandra.yaml").write_text("\n".join(lines) + "\n")
        shutil.copyfile(LOGBACK, conf / "logback.xml")
        return conf

    def java_command(self, lib: Path, conf: Path) -> list[str]:
        jamm = next(lib.glob("jamm-*.jar"), None)
        if jamm is None:
            raise NodeError(f"no jamm jar in {lib}: Cassandra measures memory with it")
        return [
            "java",
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            "-Xss256k",
            "-XX:+UseG1GC",
            "-XX:+HeapDumpOnOutOfMemoryError",
            "-XX:+ExitOnOutOfMemoryError",
            f"-XX:HeapDumpPath={self.home / 'logs'}",
            f"-javaagent:{jamm}",
            *JAVA17_MODULE_FLAGS,
            "-Djava.net.preferIPv4Stack=true",
            "-Dchronicle.analytics.disable=true",
            "-Dcassandra-foreground=yes",
            f"-Dcassandra.config=file://{conf / 'cassandra.yaml'}",
            f"-Dcassandra.storagedir={self.home / 'data'}",
            f"-Dcassandra.logdir={self.home / 'logs'}",
            f"-Dcassandra.triggers_dir={self.home / 'triggers'}",
            f"-Dlogback.configurationFile={conf / 'logback.xml'}",
            # One node and no peers: nothing to wait for in gossip.
            "-Dcassandra.skip_wait_for_gossip_to_settle=0",
            "-Dcassandra.ring_delay_ms=0",
            "-Dcassandra.superuser_setup_delay_ms=0",
            "-cp",
            f"{conf}:{lib}/*",
            "org.apache.cassandra.service.CassandraDaemon",
        ]

    def start(self, timeout: float = 240.0) -> float:
        """Start the node unless it runs already; wait until CQL answers. Returns the seconds
        it took (0 when it was running)."""
        began = time.monotonic()
        if self.pid() is not None:
            if self.wait_ready(timeout):
                return 0.0
            raise NodeError(f"the node in {self.home} runs but does not answer CQL on {self.port}")
        missing = missing_tools()
        if missing:
            raise NodeError("cannot start a local Cassandra: " + "; ".join(missing))
        for port in (self.port, self.storage_port):
            if port_is_open(port):
                raise NodeError(
                    f"port {port} is taken by another program; stop it, or start this node on "
                    "other ports (--port, --storage-port)"
                )
        lib = resolve_jars(self.jar_cache)
        conf = self.write_config()
        (self.home / "logs").mkdir(parents=True, exist_ok=True)
        (self.home / "data").mkdir(parents=True, exist_ok=True)
        (self.home / "triggers").mkdir(parents=True, exist_ok=True)
        output = (self.home / "logs" / "stdout.log").open("ab")
        process = subprocess.Popen(
            self.java_command(lib, conf),
            cwd=self.home,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        output.close()
        self.pid_file.write_text(f"{process.pid}\n")
        (self.home / PORTS_FILE).write_text(
            json.dumps({"port": self.port, "storage_port": self.storage_port}) + "\n"
        )
        while time.monotonic() - began < timeout:
            if process.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise NodeError(
                    f"Cassandra exited with code {process.returncode} while starting:\n"
                    + self.log_tail()
                )
            if self.answers(timeout=2.0):
                return time.monotonic() - began
            time.sleep(0.5)
        self.stop()
        raise NodeError(f"Cassandra did not answer CQL within {timeout:.0f} s:\n{self.log_tail()}")

    def wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.answers(timeout=2.0):
                return True
            if self.pid() is None:
                return False
            time.sleep(0.5)
        return False

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the node's JVM: SIGTERM, then SIGKILL after ``timeout``. False if none ran."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.pid() is not None:
            time.sleep(0.2)
        if self.pid() is not None:
            logger.warning("Cassandra did not stop within %.0f s; killing it", timeout)
            os.killpg(pid, signal.SIGKILL)
            while self.pid() is not None:
                time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)
        return True

    def log_tail(self, lines: int = 30) -> str:
        for path in (self.log_file, self.home / "logs" / "stdout.log"):
            if path.is_file() and path.stat().st_size:
                return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        return "(no log written)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("start", "stop", "status"))
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME, help="the node's folder")
    parser.add_argument("--port", type=int, default=9042, help="CQL (native transport) port")
    parser.add_argument("--storage-port", type=int, default=7000, help="inter-node port")
    parser.add_argument("--heap", default="1G", help="fixed JVM heap, e.g. 1G or 768M")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    node = LocalNode(args.home.resolve(), args.port, args.storage_port, args.heap)
    if args.command == "status":
        pid = node.pid()
        if pid is None:
            print(f"no local Cassandra runs from {node.home}")
            return 1
        state = "answers CQL" if node.answers() else "does not answer CQL yet"
        print(f"Cassandra (pid {pid}) on 127.0.0.1:{node.port} {state}; home {node.home}")
        return 0
    if args.command == "stop":
        stopped = node.stop()
        print("Cassandra stopped" if stopped else f"no local Cassandra ran from {node.home}")
        return 0
    try:
        seconds = node.start()
    except NodeError as error:
        print(f"local Cassandra: {error}", file=sys.stderr)
        return 1
    if seconds:
        print(f"Cassandra {cassandra_version()} is ready after {seconds:.1f} s", end="")
    else:
        print(f"Cassandra {cassandra_version()} was already running", end="")
    print(f" on 127.0.0.1:{node.port} (pid {node.pid()}); data and logs in {node.home}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
