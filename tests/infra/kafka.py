"""A real Kafka broker for tests: ``KAFKA_BOOTSTRAP_SERVERS``, testcontainers, or a local KRaft broker.

The local broker runs from jars fetched from Maven Central by ``tests/infra/jars/pom.xml`` into
``~/.cache/pilot-infra/kafka-<version>/lib`` (fetched once, reused by later runs).
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import fcntl
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from tests.infra import cache_root, docker_available, free_port, infra_mode, log, report, run_checked

JARS_DIR = Path(__file__).resolve().parent / "jars"
POM = JARS_DIR / "pom.xml"
LOG4J_CONFIG = JARS_DIR / "log4j2.properties"
KAFKA_IMAGE = "confluentinc/cp-kafka:7.6.0"

READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0
START_ATTEMPTS = 3
READY_LINE = "Kafka Server started"
DEFAULT_PARTITIONS = 3


def _kafka_version() -> str:
    m = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", POM.read_text())
    if not m:
        raise RuntimeError(f"no <kafka.version> in {POM}")
    return m.group(1).strip()


KAFKA_VERSION = _kafka_version()


def kafka_home() -> Path:
    return cache_root() / f"kafka-{KAFKA_VERSION}"


def kafka_lib() -> Path:
    return kafka_home() / "lib"


def _jars_complete(home: Path) -> bool:
    return (home / ".complete").exists() and any((home / "lib").glob("kafka_2.13-*.jar"))


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_kafka_jars() -> Path:
    """Fetch the broker jars with Maven unless already cached. Safe against concurrent callers."""
    home = kafka_home()
    if _jars_complete(home):
        return home / "lib"
    with _file_lock(home / ".lock"):
        if _jars_complete(home):
            return home / "lib"
        mvn = shutil.which("mvn")
        if mvn is None:
            raise RuntimeError("Maven (mvn) is needed to fetch the Kafka jars; or set KAFKA_BOOTSTRAP_SERVERS")
        tmp = home / f"lib.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        t0 = time.monotonic()
        log.warning("fetching Kafka %s jars with Maven into %s", KAFKA_VERSION, home / "lib")
        cmd = [mvn, "-q", "-B", "-f", str(POM), "dependency:copy-dependencies", "-DincludeScope=runtime",
               f"-DoutputDirectory={tmp}"]  # fmt: skip
        run_checked(cmd, "mvn dependency:copy-dependencies", timeout=1200)
        shutil.rmtree(home / "lib", ignore_errors=True)
        tmp.rename(home / "lib")
        (home / ".complete").write_text(f"{KAFKA_VERSION}\n")
        log.warning("Kafka jars fetched in %.1f s", time.monotonic() - t0)
    return home / "lib"


def java_bin() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    found = shutil.which("java")
    if found is None:
        raise RuntimeError("java (17+) not found; needed for the local Kafka broker")
    return found


def random_cluster_id() -> str:
    """Same as ``kafka-storage random-uuid``: a random UUID, URL-safe base64, no padding, not starting '-'."""
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cid.startswith("-"):
            return cid


class KafkaBroker:
    """What the ``kafka_broker`` fixture yields.

    ``bootstrap_servers``; ``supports_restart``; ``stop()``/``start()`` (local backend only: same data dir and
    ports, ``start()`` blocks until ready); ``create_topics(names, partitions=3)``; ``startup_seconds``.
    """

    backend = "?"
    supports_restart = False

    def __init__(self) -> None:
        self.bootstrap_servers: str = ""
        self.startup_seconds: float = 0.0
        self._closed = False
        self._close_lock = threading.Lock()

    def stop(self) -> None:
        raise NotImplementedError(f"stopping the broker is not supported on the {self.backend} backend")

    def start(self) -> None:
        raise NotImplementedError(f"restarting the broker is not supported on the {self.backend} backend")

    def admin(self, **configs: Any) -> Any:
        from kafka import KafkaAdminClient

        configs.setdefault("request_timeout_ms", 30_000)
        configs.setdefault("client_id", "pilot-tests-admin")
        return KafkaAdminClient(bootstrap_servers=self.bootstrap_servers, **configs)

    def create_topics(self, names: list[str], partitions: int = DEFAULT_PARTITIONS) -> None:
        """Create topics (already existing ones are fine) and wait until every partition has a leader."""
        from kafka.errors import TopicAlreadyExistsError, for_code

        if not names:
            return
        admin = self.admin()
        try:
            spec = {n: {"num_partitions": partitions, "replication_factor": -1} for n in names}
            result = admin.create_topics(spec, timeout_ms=30_000, raise_errors=False)
            for topic in result.get("topics", []):
                code = topic.get("error_code", 0)
                if code not in (0, TopicAlreadyExistsError.errno):
                    raise for_code(code)(f"creating topic {topic.get('name')}: {topic.get('error_message')}")
            admin.wait_for_topics(list(names), timeout_ms=30_000)
        finally:
            admin.close()

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Block until a metadata request lists at least one broker."""
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                admin = self.admin(request_timeout_ms=5_000)
                try:
                    if admin.describe_cluster().get("brokers"):
                        return
                finally:
                    admin.close()
            except Exception as exc:
                last = exc
            time.sleep(0.25)
        raise TimeoutError(f"Kafka at {self.bootstrap_servers} not ready after {timeout} s: {last!r}")

    def _check_alive(self) -> None:
        pass

    def close(self) -> None:
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        self._shutdown()

    def _shutdown(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.backend} {self.bootstrap_servers}>"


class ExternalKafka(KafkaBroker):
    backend = "external"

    def __init__(self, bootstrap_servers: str) -> None:
        super().__init__()
        self.bootstrap_servers = bootstrap_servers


class ContainerKafka(KafkaBroker):
    backend = "docker"

    def __init__(self, image: str = KAFKA_IMAGE) -> None:
        super().__init__()
        from testcontainers.community.kafka import KafkaContainer

        self._container: Any = (
            KafkaContainer(image)
            .with_kraft()
            .with_env("KAFKA_NUM_PARTITIONS", str(DEFAULT_PARTITIONS))
            .with_env("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
        )

    def launch(self) -> None:
        self._container.start()
        self.bootstrap_servers = self._container.get_bootstrap_server()

    def _shutdown(self) -> None:
        self._container.stop()


class LocalKafka(KafkaBroker):
    """A single-node KRaft broker+controller as a child process, data in a per-session temp dir."""

    backend = "local"
    supports_restart = True

    def __init__(self) -> None:
        super().__init__()
        self.lib = ensure_kafka_jars()
        self.java = java_bin()
        self.workdir = Path(tempfile.mkdtemp(prefix="pilot-kafka-"))
        self.config = self.workdir / "server.properties"
        self.logfile = self.workdir / "broker.log"
        self.port = 0
        self.controller_port = 0
        self.format_seconds = 0.0
        self.pid: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_fh: BinaryIO | None = None
        self._lock = threading.RLock()

    # -- setup ------------------------------------------------------------------------------------------
    def _jvm(self, *args: str, heap: tuple[str, str]) -> list[str]:
        return [
            self.java,
            f"-Xms{heap[0]}",
            f"-Xmx{heap[1]}",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={LOG4J_CONFIG}",
            f"-Dkafka.logs.dir={self.workdir / 'logs'}",
            "-cp",
            f"{self.lib}/*",
            *args,
        ]

    def _prepare(self) -> None:
        """Fresh ports, config and formatted storage (a formatted dir cannot be re-formatted)."""
        datadir = self.workdir / "data"
        shutil.rmtree(datadir, ignore_errors=True)
        self.port = free_port()
        self.controller_port = free_port()
        while self.controller_port == self.port:
            self.controller_port = free_port()
        self.bootstrap_servers = f"127.0.0.1:{self.port}"
        listeners = f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}"
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.bootstrap.servers": f"127.0.0.1:{self.controller_port}",
            "listeners": listeners,
            "advertised.listeners": listeners,
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(datadir),
            "num.partitions": str(DEFAULT_PARTITIONS),
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            "auto.create.topics.enable": "false",
            "delete.topic.enable": "true",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "share.coordinator.state.topic.num.partitions": "1",
            "group.initial.rebalance.delay.ms": "0",
            "num.network.threads": "2",
            "num.io.threads": "4",
        }
        self.config.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
        t0 = time.monotonic()
        cmd = self._jvm("kafka.tools.StorageTool", "format", "-t", random_cluster_id(), "-c", str(self.config),
                        "--standalone", heap=("64m", "256m"))  # fmt: skip
        run_checked(cmd, "kafka-storage format", timeout=120)
        self.format_seconds = time.monotonic() - t0

    # -- lifecycle --------------------------------------------------------------------------------------
    def launch(self) -> None:
        """First start: format storage, start, wait; retry with new ports if one was taken meanwhile."""
        for attempt in range(1, START_ATTEMPTS + 1):
            self._prepare()
            t0 = time.monotonic()
            try:
                self._start_process()
            except _PortTaken:
                log.warning("Kafka port taken (attempt %d), retrying with other ports", attempt)
                continue
            self.startup_seconds = time.monotonic() - t0
            return
        raise RuntimeError(f"Kafka broker did not start after {START_ATTEMPTS} attempts (ports taken)")

    def start(self) -> None:
        """(Re)start the broker with the same data dir and ports; block until ready."""
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                return
            if self._closed:
                raise RuntimeError("broker already closed")
            self._start_process()

    def stop(self) -> None:
        """SIGTERM to the broker's own pid (clean shutdown), SIGKILL only after STOP_TIMEOUT_S."""
        with self._lock:
            proc = self._proc
            if proc is None:
                return
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    log.warning("Kafka broker pid %s ignored SIGTERM for %.0f s, SIGKILL", proc.pid, STOP_TIMEOUT_S)
                    proc.kill()
                    proc.wait(timeout=30)
            self._proc = None
            self.pid = None
            if self._log_fh is not None:
                self._log_fh.close()
                self._log_fh = None

    def _start_process(self) -> None:
        log_offset = self.logfile.stat().st_size if self.logfile.exists() else 0
        self._log_fh = open(self.logfile, "ab")  # noqa: SIM115 - closed in stop()
        self._proc = subprocess.Popen(
            self._jvm("kafka.Kafka", str(self.config), heap=("512m", "1g")),
            stdin=subprocess.DEVNULL,
            stdout=self._log_fh,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
            start_new_session=True,  # own process group: a terminal Ctrl-C does not hit it before we stop it
        )
        self.pid = self._proc.pid
        try:
            self._wait_for_log_line(log_offset)
            self.wait_ready(timeout=READY_TIMEOUT_S)
        except BaseException:
            self.stop()
            raise

    def _read_log(self, offset: int) -> str:
        try:
            with open(self.logfile, "rb") as fh:
                fh.seek(offset)
                return fh.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def _log_tail(self, offset: int = 0, chars: int = 4000) -> str:
        return self._read_log(offset)[-chars:]

    def _wait_for_log_line(self, offset: int) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            text = self._read_log(offset)
            if READY_LINE in text:
                return
            assert self._proc is not None
            if self._proc.poll() is not None:
                if "Address already in use" in text or "BindException" in text:
                    self.stop()
                    raise _PortTaken()
                raise RuntimeError(
                    f"Kafka broker exited with {self._proc.returncode} while starting; {self.logfile}:\n" + text[-4000:]
                )
            time.sleep(0.1)
        raise TimeoutError(f"no {READY_LINE!r} after {READY_TIMEOUT_S} s; {self.logfile}:\n{self._log_tail(offset)}")

    def _check_alive(self) -> None:
        if self._proc is not None and self._proc.poll() is not None:
            raise RuntimeError(f"Kafka broker exited with {self._proc.returncode}; see {self.logfile}")

    def _shutdown(self) -> None:
        try:
            self.stop()
        finally:
            if os.environ.get("PILOT_INFRA_KEEP"):
                log.warning("keeping Kafka work dir %s", self.workdir)
            else:
                shutil.rmtree(self.workdir, ignore_errors=True)


class _PortTaken(Exception):
    pass


def start_kafka() -> KafkaBroker:
    """Start (or attach to) a Kafka broker, following the order of choice. Cleanup is registered."""
    t0 = time.monotonic()
    broker: KafkaBroker
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        broker = ExternalKafka(os.environ["KAFKA_BOOTSTRAP_SERVERS"])
    elif infra_mode() != "local" and docker_available():
        broker = ContainerKafka()
    else:
        broker = LocalKafka()
    atexit.register(broker.close)
    try:
        if isinstance(broker, ContainerKafka | LocalKafka):
            broker.launch()
        broker.wait_ready()
    except BaseException:
        broker.close()
        raise
    total = time.monotonic() - t0
    if isinstance(broker, LocalKafka):
        report(
            f"kafka (local {KAFKA_VERSION}) broker started in {broker.startup_seconds:.1f} s "
            f"(storage format {broker.format_seconds:.1f} s, {total:.1f} s in all) at {broker.bootstrap_servers}, "
            f"pid {broker.pid}, log {broker.logfile}"
        )
    else:
        broker.startup_seconds = total
        report(f"kafka ({broker.backend}) ready in {total:.1f} s at {broker.bootstrap_servers}")
    return broker
