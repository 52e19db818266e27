"""The published contract suites (callcore.testing.contracts) against every built-in
adapter and against the example integrator's package; and adapters found by name
through the ``callcore.adapters`` entry-point group (issue 10)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from callcore.adapters import registry
from callcore.adapters.clock import ManualClock, RunningClock, SystemClock
from callcore.adapters.directory_file import TomlDirectory
from callcore.adapters.eventstore import open_store
from callcore.adapters.notifiers import LogNotifier, RecordingNotifier, WebhookNotifier
from callcore.ports import Clock, DirectorySource, EventStore, Notifier
from callcore.testing.contracts import (
    ClockContract,
    DirectorySourceContract,
    EventStoreContract,
    NotifierContract,
)
from tests.adapters.test_notifiers import SECRET, Gateway, gateway  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "custom_notifier"


class TestRecordingNotifier(NotifierContract):
    def make_notifier(self) -> Notifier:
        return RecordingNotifier()

    def delivered(self, notifier: Notifier) -> Sequence[str]:
        assert isinstance(notifier, RecordingNotifier)
        return [n.notification_id for n in notifier.sent]

    def break_transport(self, notifier: Notifier) -> None:
        assert isinstance(notifier, RecordingNotifier)
        notifier.failing = True


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


class TestLogNotifier(NotifierContract):
    def make_notifier(self) -> Notifier:
        logger = logging.getLogger(f"callcore.test.{id(self)}")
        logger.setLevel(logging.INFO)
        self.handler = _Lines()
        logger.addHandler(self.handler)
        return LogNotifier(logger)

    def delivered(self, notifier: Notifier) -> Sequence[str]:
        return [line[1 : line.index("]")] for line in self.handler.lines]

    def break_transport(self, notifier: Notifier) -> None:
        pytest.skip("writing to a log does not fail")


class TestWebhookNotifier(NotifierContract):
    @pytest.fixture(autouse=True)
    def _gateway(self, request: pytest.FixtureRequest) -> None:
        self.url = request.getfixturevalue("gateway")  # tests/adapters/test_notifiers.py

    def make_notifier(self) -> Notifier:
        return WebhookNotifier(self.url, SECRET)

    def delivered(self, notifier: Notifier) -> Sequence[str]:
        return [headers["Idempotency-Key"] for headers, _ in Gateway.received]

    def break_transport(self, notifier: Notifier) -> None:
        Gateway.status = 503


class TestEveryBuiltInStore(EventStoreContract):
    @pytest.fixture(autouse=True)
    def _url(self, store_url: str) -> None:
        self.url = store_url

    def make_store(self) -> EventStore:
        return open_store(self.url)

    def reopen(self, store: EventStore) -> EventStore:
        # memory:// lives in its object only; the databases are opened afresh
        return store if self.url.startswith("memory") else open_store(self.url)


# the example integrator's package ---------------------------------------------------------


def _with_example(tmp_path: Path) -> dict[str, str]:
    """The example package importable, and registered as if pip had installed it: a
    ``.dist-info`` folder with its entry points, which importlib.metadata reads."""
    info = tmp_path / "callcore_sms_gateway-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: callcore-sms-gateway\nVersion: 0.1.0\n"
    )
    (info / "entry_points.txt").write_text(
        "[callcore.adapters]\nnotifier.sms-gateway = callcore_sms_gateway:make_notifier\n"
    )
    path = os.pathsep.join([str(EXAMPLE / "src"), str(tmp_path), str(ROOT)])
    return {**os.environ, "PYTHONPATH": path}


def test_the_example_adapter_passes_the_published_contract_suite(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(EXAMPLE / "tests"), "-q", "-p", "no:cacheprovider"],
        env=_with_example(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "7 passed" in done.stdout, done.stdout


def test_an_installed_adapter_is_found_by_name_after_the_built_in_ones(tmp_path: Path) -> None:
    program = (
        "from callcore.adapters import registry\n"
        "print(registry.names('notifier'))\n"
        "made = registry.notifier('sms-gateway:http://127.0.0.1:9/send')\n"
        "print(type(made).__name__, made.url)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        env=_with_example(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "['log', 'webhook', 'sms-gateway']",
        "SmsGatewayNotifier http://127.0.0.1:9/send",
    ]


def test_built_in_names_and_a_clear_error_for_an_unknown_one() -> None:
    assert registry.names("notifier")[:2] == ["log", "webhook"]
    assert isinstance(registry.notifier("log"), LogNotifier)
    with pytest.raises(registry.UnknownAdapter, match="no notifier called 'pager'; there are: log"):
        registry.notifier("pager:123")
    with pytest.raises(ValueError, match="webhook's URL"):
        registry.notifier("webhook")


def test_the_worker_names_an_unknown_notifier_in_one_line(tmp_path: Path) -> None:
    # the worker serves an existing store (issue 18): make one, so the notifier is what fails
    from callcore import CallCenter

    CallCenter.open(f"sqlite:///{tmp_path}/c.db").close()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "callcore",
            "worker",
            "--db",
            f"sqlite:///{tmp_path}/c.db",
            "--notify",
            "pager:123",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "no notifier called 'pager'" in done.stderr
    assert "Traceback" not in done.stderr


class TestSystemClock(ClockContract):
    def make_clock(self) -> Clock:
        return SystemClock()


class TestManualClock(ClockContract):
    def make_clock(self) -> Clock:
        return ManualClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))


class TestRunningClock(ClockContract):
    def make_clock(self) -> Clock:
        return RunningClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), speed=60)


class TestTomlDirectory(DirectorySourceContract):
    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path: Path) -> None:
        self.folder = tmp_path

    def make_source(self) -> DirectorySource:
        return TomlDirectory(ROOT / "src" / "callcore" / "data" / "demo-directory.toml")

    def make_broken_source(self) -> DirectorySource:
        demo = (ROOT / "src" / "callcore" / "data" / "demo-directory.toml").read_text()
        broken = self.folder / "broken.toml"
        broken.write_text(demo.replace('zones = ["XIHU", "QILIHE"]', 'zones = ["ATLANTIS"]', 1))
        return TomlDirectory(broken)


def test_every_example_centre_directory_passes_the_contract() -> None:
    for path in sorted((ROOT / "examples").glob("*/directory.toml")):
        suite = TestTomlDirectory()
        suite.make_source = lambda path=path: TomlDirectory(path)  # type: ignore[method-assign]
        suite.test_it_loads_a_directory_whose_references_hold()
        suite.test_phone_numbers_arrive_normalised()
