"""The shapes a realtime queue_log table really has, and the sizes a PBX's fields may have:
what real schemas use is read, anything else is refused by name, and no field is
unbounded (issue 17, the probe's findings)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from callcore import CallCenter
from callcore.adapters.telephony import Feed
from callcore.adapters.telephony.queue_log import (
    FIELD_LIMITS,
    QueueLogError,
    QueueLogFeed,
    QueueLogTableError,
    parse_line,
    table_lines,
)

from .test_queue_log import FIXTURE, T0, centre, ingest


def callcore(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "callcore", *args], capture_output=True,
                          text=True, timeout=300, check=False, cwd=cwd)


def _rows() -> list[list[str]]:
    rows = []
    for text in FIXTURE:
        fields = text.split("|")
        if len(fields) >= 5:
            rows.append(fields[:5] + (fields[5:] + [""] * 5)[:5])
    return rows


def _make_table(url: str, names: dict[str, str], *, time_type: sa.types.TypeEngine,
                time_of, extra: bool = False, single_data: bool = False,
                nulls: bool = False) -> None:
    """A queue_log table whose columns are named by ``names`` (our role → the column)."""
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    columns = [sa.Column("id", sa.Integer, primary_key=True)]
    for role in ("time", "callid", "queuename", "agent", "event"):
        if role in names:
            kind = time_type if role == "time" else sa.String(64)
            columns.append(sa.Column(names[role], kind, nullable=True))
    data_names = ["data"] if single_data else [f"data{i}" for i in range(1, 6)]
    columns += [sa.Column(name, sa.String(200), nullable=True) for name in data_names]
    if extra:
        columns += [sa.Column("serverid", sa.String(20)), sa.Column("partition", sa.String(20))]
    table = sa.Table("queue_log", metadata, *columns)
    metadata.create_all(engine)
    rows = []
    for fields in _rows():
        row: dict[str, object] = {}
        for role, value in zip(("time", "callid", "queuename", "agent", "event"), fields[:5],
                               strict=True):
            if role in names:
                row[names[role]] = time_of(int(value)) if role == "time" else value
        data = fields[5:]
        if single_data:
            row["data"] = "|".join(data).rstrip("|")
        else:
            for i, value in enumerate(data, start=1):
                row[f"data{i}"] = None if (nulls and value == "") else value
        if extra:
            row["serverid"], row["partition"] = "pbx1", "P001"
        rows.append(row)
    with engine.begin() as connection:
        connection.execute(table.insert(), rows)
    engine.dispose()


STANDARD = {r: r for r in ("time", "callid", "queuename", "agent", "event")}


def _as_text(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _as_datetime(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


SHAPES = {
    # Asterisk's contrib/realtime schema: time as char(26) text
    "text times": (STANDARD, sa.String(26), _as_text, {}),
    # Asterisk's alembic schema (and Wazo's): a DATETIME column
    "datetime times": (STANDARD, sa.DateTime(), _as_datetime, {}),
    # an epoch stored as an integer
    "integer epoch": (STANDARD, sa.Integer(), lambda epoch: epoch, {}),
    # `created` in place of `time` (some realtime schemas and ORMs)
    "created column": ({**STANDARD, "time": "created"}, sa.DateTime(), _as_datetime, {}),
    # QueueMetrics-style names: time_id, call_id, queue, verb, with extra columns
    "queuemetrics names": (
        {"time": "time_id", "callid": "call_id", "queuename": "queue", "agent": "agent",
         "event": "verb"}, sa.Integer(), lambda epoch: epoch, {"extra": True}),
    "NULL data columns": (STANDARD, sa.String(26), _as_text, {"nulls": True}),
    "the old single data column": (STANDARD, sa.String(26), _as_text, {"single_data": True}),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_real_realtime_schema_gives_the_same_figures(tmp_path: Path, shape: str):
    names, time_type, time_of, options = SHAPES[shape]
    url = f"sqlite:///{tmp_path}/asterisk.db"
    _make_table(url, names, time_type=time_type, time_of=time_of, **options)
    with centre() as center:
        feed = Feed(center)
        source = QueueLogFeed(feed)
        for where, text, _ in table_lines(url):
            source.line(text, where)
        source.flush()
        (hotline,) = center.views.queues(T0 + timedelta(hours=6)).queues
        assert (hotline.offered, hotline.answered, hotline.answered_within_target) == (12, 6, 5)
        assert not [r for r in feed.report.rejected if "time" in r.reason], feed.report.summary()


@pytest.mark.parametrize(
    ("drop", "named"),
    [(("time",), "time"), (("event",), "event"), (("callid", "agent"), "callid, agent")],
)
def test_a_table_without_a_required_column_is_one_line_and_stores_nothing(
    tmp_path: Path, drop: tuple[str, ...], named: str
):
    names = {role: column for role, column in STANDARD.items() if role not in drop}
    url = f"sqlite:///{tmp_path}/asterisk.db"
    _make_table(url, names, time_type=sa.String(26), time_of=_as_text)
    with pytest.raises(QueueLogTableError, match=f"queue_log has no {named} column"):
        list(table_lines(url))
    store = tmp_path / "centre.db"
    done = callcore("telephony", "ingest", "--queue-log-table", url, "--db",
                    f"sqlite:///{store}")
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "queue_log" in line and named in line and "Traceback" not in done.stderr
    assert not store.exists()


def test_a_missing_table_or_database_is_one_line(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/asterisk.db"
    _make_table(url, STANDARD, time_type=sa.String(26), time_of=_as_text)
    store = tmp_path / "centre.db"
    for args, named in [
        (["--queue-log-table", url, "--table", "queue_log_2024"], "queue_log_2024"),
        (["--queue-log-table", "nosuchdialect://x/y"], "nosuchdialect"),
    ]:
        done = callcore("telephony", "ingest", *args, "--db", f"sqlite:///{store}")
        assert done.returncode == 2, done.stderr
        (line,) = done.stderr.strip().splitlines()
        assert named in line
        assert not store.exists()


def test_a_row_with_a_null_time_or_callid_is_rejected_by_name(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/asterisk.db"
    _make_table(url, STANDARD, time_type=sa.String(26), time_of=_as_text)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE queue_log SET time = NULL WHERE id = 5"))
        connection.execute(sa.text("UPDATE queue_log SET callid = NULL WHERE id = 6"))
    engine.dispose()
    with centre() as center:
        feed = Feed(center)
        source = QueueLogFeed(feed)
        for where, text, _ in table_lines(url):
            source.line(text, where)
        source.flush()
        reasons = {r.where: r.reason for r in feed.report.rejected}
        assert reasons["queue_log row 5"] == "time is empty (NULL)"
        assert reasons["queue_log row 6"] == "callid is empty"


# ----------------------------------------------------------------- field limits


def test_every_field_has_a_documented_limit():
    assert set(FIELD_LIMITS) == {"time", "callid", "queue", "agent", "event", "data", "line"}
    docs = (Path(__file__).parents[3] / "docs" / "telephony.md").read_text()
    for name, limit in FIELD_LIMITS.items():
        assert f"`{name}`" in docs and f"{limit:,}" in docs, name


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (["X" * 2_000_000, "q", "NONE", "ENTERQUEUE", "", "1", "1"], "callid is"),
        (["C1", "q" * 300, "NONE", "ENTERQUEUE", "", "1", "1"], "queue is"),
        (["C1", "q", "SIP/" + "9" * 300, "CONNECT", "1", "C1.2", "1"], "agent is"),
        (["C1", "q", "NONE", "ENTERQUEUE", "", "1" * 2_000_000, "1"], "data2 is"),
    ],
)
def test_an_over_long_field_rejects_its_line_and_is_quoted_short(fields, reason):
    text = "|".join([str(int(T0.timestamp())), *fields, ""])
    with pytest.raises(QueueLogError, match=reason):
        parse_line(text)
    with centre() as center:
        feed = ingest(center, [f"{int(T0.timestamp())}|C9|q|NONE|ENTERQUEUE||5|1|", text])
        (rejection,) = feed.report.rejected
        assert rejection.where == "line 2" and rejection.reason.startswith(reason)
        assert "characters; at most" in rejection.reason
        assert len(rejection.text) <= 130 and len(rejection.reason) <= 200
        assert len(feed.report.summary()) < 400
        (queue,) = center.views.queues(center.clock.now()).queues
        assert queue.offered == 1  # only the sound line was recorded


def test_a_two_megabyte_line_is_refused_before_it_is_split():
    with pytest.raises(QueueLogError, match="the line is 2,000,0"):
        parse_line("|" * 2_000_000)


def test_a_verb_of_any_length_is_bounded():
    text = f"{int(T0.timestamp())}|C1|q|NONE|{'A' * 100}|"
    with pytest.raises(QueueLogError, match="event is 100 characters"):
        parse_line(text)


def test_the_store_never_holds_an_unbounded_caller_id():
    with centre() as center:
        feed = ingest(center, [f"{int(T0.timestamp())}|C1|q|NONE|ENTERQUEUE||{'5' * 2_000_000}|1|"])
        assert len(feed.report.rejected) == 1
        assert not center.views.queues(center.clock.now()).queues


def test_the_store_is_the_same_after_a_rejected_long_line(tmp_path: Path):
    store = f"sqlite:///{tmp_path}/centre.db"
    log = tmp_path / "queue_log"
    log.write_text(f"{int(T0.timestamp())}|C1|q|NONE|ENTERQUEUE||{'5' * 2_000_000}|1|\n")
    done = callcore("telephony", "ingest", "--queue-log", str(log), "--db", store)
    assert done.returncode == 0, done.stderr
    assert "1 rejected (first: queue_log:1: data2 is 2,000,000 characters" in done.stdout
    assert len(done.stdout) + len(done.stderr) < 2_000
    with CallCenter.open(store) as center:
        assert not center.views.queues(center.clock.now()).queues


def test_an_ami_message_with_an_over_long_value_is_rejected_by_name():
    from callcore.adapters.telephony.ami import AmiError, parse_message

    with pytest.raises(AmiError, match="CallerIDNum is 2,000,000 characters; at most 1,024"):
        parse_message("Event: Newchannel\r\nCallerIDNum: " + "5" * 2_000_000)
    with pytest.raises(AmiError, match="a key of 100 characters"):
        parse_message("K" * 100 + ": v")
