"""Asterisk queue_log into the Call aggregate: every verb, units, rotation, the realtime
table, garbage; the queue view's figures checked against figures worked out by hand."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.telephony import Feed
from callcore.adapters.telephony.queue_log import (
    CALL_VERBS,
    QueueLogError,
    QueueLogFeed,
    agent_id,
    follow_lines,
    parse_line,
    read_lines,
    table_lines,
)

T0 = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)  # 10:00 in the centre (UTC+8)
E = int(T0.timestamp())


def at(seconds: int) -> int:
    return E + seconds


# Written line by line from the documented formats (interfaces.md §6, library-facts.md):
# epoch|callid|queue|agent|event|data1|data2|data3|data4|data5, always a trailing '|'.
FIXTURE = [
    f"{at(-60)}|NONE|hotline|SIP/1001|ADDMEMBER||",
    f"{at(-50)}|NONE|hotline|SIP/1002|AGENTLOGIN|SIP/1002|",
    f"{at(-40)}|NONE|hotline|SIP/1003|PAUSE|lunch|",
    f"{at(-30)}|NONE|hotline|SIP/1003|UNPAUSE||",
    # C1: rings 1001 for 12 s (RINGNOANSWER is in ms), answered by 1002 after 20 s
    f"{at(0)}|C1|hotline|NONE|ENTERQUEUE||13912345678|1|",
    f"{at(12)}|C1|hotline|SIP/1001|RINGNOANSWER|12000|",
    f"{at(20)}|C1|hotline|SIP/1002|CONNECT|20|C1.2|5|",
    f"{at(200)}|C1|hotline|SIP/1002|COMPLETECALLER|20|180|1|",
    # C2: FreePBX's DID line first; answered in 8 s, the agent hangs up
    f"{at(30)}|C2|NONE|NONE|DID|4008001234|",
    f"{at(30)}|C2|hotline|NONE|ENTERQUEUE||13800138000|1|",
    f"{at(38)}|C2|hotline|PJSIP/1001|CONNECT|8|C2.2|4|",
    f"{at(100)}|C2|hotline|PJSIP/1001|COMPLETEAGENT|8|62|1|",
    # C3: hangs up after 3 s (a short abandon); C4 after 30 s
    f"{at(40)}|C3|hotline|NONE|ENTERQUEUE||13700000003|2|",
    f"{at(43)}|C3|hotline|NONE|ABANDON|2|2|3|",
    f"{at(50)}|C4|hotline|NONE|ENTERQUEUE||13700000004|2|",
    f"{at(80)}|C4|hotline|NONE|ABANDON|1|2|30|",
    # C5: the queue's timeout after 300 s
    f"{at(60)}|C5|hotline|NONE|ENTERQUEUE||13700000005|2|",
    f"{at(360)}|C5|hotline|NONE|EXITWITHTIMEOUT|1|2|300|",
    # C6: answered in 10 s, then a blind transfer
    f"{at(70)}|C6|hotline|NONE|ENTERQUEUE||13700000006|3|",
    f"{at(80)}|C6|hotline|SIP/1003|CONNECT|10|C6.2|2|",
    f"{at(150)}|C6|hotline|SIP/1003|BLINDTRANSFER|2001|from-internal|10|70|3|",
    # C7: answered in 5 s and never closed (the PBX restarted)
    f"{at(90)}|C7|hotline|NONE|ENTERQUEUE||13700000007|3|",
    f"{at(95)}|C7|hotline|Local/1004@from-queue/n|CONNECT|5|C7.2|5|",
    # C8: the caller pressed 1 after 10 s; C9: the queue emptied
    f"{at(100)}|C8|hotline|NONE|ENTERQUEUE||13700000008|3|",
    f"{at(110)}|C8|hotline|NONE|EXITWITHKEY|1|2|3|10|",
    f"{at(120)}|C9|hotline|NONE|ENTERQUEUE||13700000009|1|",
    f"{at(121)}|C9|hotline|NONE|EXITEMPTY|1|1|1|",
    # C10: answered in 3 s, transferred the pre-Asterisk-12 way
    f"{at(130)}|C10|hotline|NONE|ENTERQUEUE||13700000010|1|",
    f"{at(133)}|C10|hotline|SIP/1001|CONNECT|3|C10.2|3|",
    f"{at(200)}|C10|hotline|SIP/1001|TRANSFER|3001|default|3|67|1|",
    # C11: answered in 6 s, an attended transfer
    f"{at(140)}|C11|hotline|NONE|ENTERQUEUE||13700000011|1|",
    f"{at(146)}|C11|hotline|SIP/1002|CONNECT|6|C11.2|2|",
    f"{at(300)}|C11|hotline|SIP/1002|ATTENDEDTRANSFER|BRIDGE|C11.9|6|154|1|",
    # C12: rang 1001 for 6 s, the caller hung up while it rang (RINGCANCELED, ms)
    f"{at(150)}|C12|hotline|NONE|ENTERQUEUE||13700000012|1|",
    f"{at(156)}|C12|hotline|SIP/1001|RINGCANCELED|6000|",
    f"{at(156)}|C12|hotline|NONE|ABANDON|1|1|6|",
    # housekeeping, an unknown verb, and a line that is not a queue_log line
    f"{at(400)}|NONE|NONE|NONE|QUEUESTART||",
    f"{at(410)}|C13|hotline|NONE|SOMETHINGNEW|x|",
    "this is not a queue_log line",
    # five hours later: C7 has been open too long and is closed by the timeout rule
    f"{at(5 * 3600)}|NONE|NONE|NONE|CONFIGRELOAD||",
]


def centre() -> CallCenter:
    return CallCenter.open("memory://", clock=ManualClock(T0 + timedelta(hours=6)))


def ingest(center: CallCenter, lines: list[str]) -> Feed:
    feed = Feed(center)
    source = QueueLogFeed(feed)
    for number, text in enumerate(lines, start=1):
        source.line(text + "\n", f"line {number}")
    source.flush()
    return feed


def test_every_verb_with_its_units_gives_the_figures_worked_out_by_hand():
    with centre() as center:
        feed = ingest(center, FIXTURE)
        report = feed.report
        assert report.refused == {}, report.refused
        assert report.unknown == {"SOMETHINGNEW": 1}
        assert report.agent_events == {
            "ADDMEMBER": 1, "AGENTLOGIN": 1, "PAUSE": 1, "UNPAUSE": 1,
            "QUEUESTART": 1, "CONFIGRELOAD": 1,
        }
        assert [r.where for r in report.rejected] == ["line 39"]
        assert report.closed_by_timeout == 1

        # By hand: 12 offered; answered C1 (20 s), C2 (8), C6 (10), C7 (5), C10 (3),
        # C11 (6): 6, of which 5 within the 15 s target (3 rings × 5 s), all but C1;
        # abandoned C3 (3 s, short: ≤ 5 s), C4 (30 s), C12 (6 s): 3, 1 short;
        # timed out C5, C8 (key), C9 (empty): 3.
        view = center.views.queues(T0 + timedelta(hours=6))
        (hotline,) = view.queues
        assert hotline.target_seconds == 15 and hotline.short_abandon_seconds == 5
        assert (hotline.offered, hotline.answered, hotline.answered_within_target) == (12, 6, 5)
        assert (hotline.abandoned, hotline.short_abandoned, hotline.timed_out) == (3, 1, 3)
        assert hotline.waiting == 0
        assert hotline.formula == "counting-abandons"
        assert hotline.service_level == pytest.approx(5 / 11)  # 5 ÷ (12 − 1)
        assert hotline.asa_seconds == pytest.approx((20 + 8 + 10 + 5 + 3 + 6) / 6)
        assert hotline.abandon_rate == pytest.approx(2 / 11)  # (3 − 1) ÷ (12 − 1)

        # Units: RINGNOANSWER ms → seconds; the ring started 12 s before it was logged
        c1 = center.calls.get("C1")
        assert c1.agent == "1002" and c1.waited_seconds == 20
        c2 = center.calls.get("C2")
        assert c2.agent == "1001"
        offered = center.history("call-C2")[0].event
        assert offered.did == "4008001234" and offered.caller == "+8613800138000"
        assert center.calls.get("C7").agent == "1004"  # Local/1004@from-queue/n
        history = [r.event for r in center.history("call-C1")]
        no_answer = next(e for e in history if type(e).__name__ == "RingNotAnswered")
        assert no_answer.ring_seconds == 12.0
        transferred = [r.event for r in center.history("call-C6")]
        assert any(getattr(e, "to", None) == "2001@from-internal" for e in transferred)
        closed = center.history("call-C7")[-1].event
        assert type(closed).__name__ == "CallCompleted"
        assert closed.ended_by == "system"
        assert closed.at == datetime.fromtimestamp(at(95), UTC) + timedelta(hours=4)


def test_reading_the_same_file_twice_records_nothing_twice(tmp_path: Path):
    log = tmp_path / "queue_log"
    log.write_text("\n".join(FIXTURE) + "\n")
    with centre() as center:
        first = Feed(center)
        source = QueueLogFeed(first)
        for number, text in read_lines(log):
            source.line(text, f"line {number}")
        source.flush()
        stored = center.store.last_position()
        again = Feed(center)
        source = QueueLogFeed(again)
        for number, text in read_lines(log):
            source.line(text, f"line {number}")
        source.flush()
        assert center.store.last_position() == stored
        assert again.report.recorded == 0
        assert again.report.repeated == first.report.recorded


def test_a_followed_file_survives_rotation_and_truncation(tmp_path: Path):
    log = tmp_path / "queue_log"
    log.write_text("\n".join(FIXTURE[:10]) + "\n")
    seen: list[str] = []
    stop = threading.Event()

    def follow() -> None:
        for _, text in follow_lines(log, poll_seconds=0.02, should_stop=stop.is_set):
            seen.append(text.rstrip("\n"))

    reader = threading.Thread(target=follow)
    reader.start()
    try:
        wait_for(lambda: len(seen) == 10)
        with log.open("a") as file:  # a line written in two parts is read once whole
            file.write(FIXTURE[10][:7])
            file.flush()
            time.sleep(0.1)
            file.write(FIXTURE[10][7:] + "\n" + FIXTURE[11] + "\n")
        wait_for(lambda: len(seen) == 12)
        log.rename(tmp_path / "queue_log.1")  # logrotate: rename, then a new file
        with (tmp_path / "queue_log.1").open("a") as old:
            old.write(FIXTURE[12] + "\n")  # written to the old file before the switch
        log.write_text("\n".join(FIXTURE[13:20]) + "\n")
        wait_for(lambda: len(seen) == 20)
        log.write_text("")  # copytruncate
        time.sleep(0.1)
        log.write_text(FIXTURE[20] + "\n")
        wait_for(lambda: len(seen) == 21)
    finally:
        stop.set()
        reader.join(timeout=5)
    assert seen == FIXTURE[:21]


def wait_for(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _table(url: str, *, with_id: bool) -> None:
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    columns = [sa.Column("id", sa.Integer, primary_key=True)] if with_id else []
    table = sa.Table(
        "queue_log", metadata, *columns,
        sa.Column("time", sa.String(32)), sa.Column("callid", sa.String(64)),
        sa.Column("queuename", sa.String(64)), sa.Column("agent", sa.String(64)),
        sa.Column("event", sa.String(32)),
        *(sa.Column(f"data{i}", sa.String(100)) for i in range(1, 6)),
    )
    metadata.create_all(engine)
    rows = []
    for text in FIXTURE:
        fields = text.split("|")
        if len(fields) < 5:
            continue
        when = datetime.fromtimestamp(int(fields[0]), UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        data = (fields[5:] + [""] * 5)[:5]
        rows.append({"time": when, "callid": fields[1], "queuename": fields[2],
                     "agent": fields[3], "event": fields[4],
                     **{f"data{i + 1}": value for i, value in enumerate(data)}})
    with engine.begin() as connection:
        connection.execute(table.insert(), rows)
    engine.dispose()


@pytest.mark.parametrize("with_id", [True, False])
def test_the_realtime_table_gives_the_same_figures(tmp_path: Path, with_id: bool):
    url = f"sqlite:///{tmp_path}/asterisk.db"
    _table(url, with_id=with_id)
    with centre() as center:
        feed = Feed(center)
        source = QueueLogFeed(feed)  # the table's times are UTC here
        for where, text, _ in table_lines(url):
            source.line(text, where)
        source.flush()
        (hotline,) = center.views.queues(T0 + timedelta(hours=6)).queues
        assert (hotline.offered, hotline.answered, hotline.answered_within_target) == (12, 6, 5)
        assert hotline.service_level == pytest.approx(5 / 11)
        last = None
        for _, _, key in table_lines(url):
            last = key
        assert list(table_lines(url, after=last or 0)) == []


@pytest.mark.postgres
def test_the_realtime_table_on_postgresql(postgres_server: str):
    import psycopg

    name = f"asterisk_{int(time.time() * 1000)}"
    admin_url = postgres_server
    with psycopg.connect(admin_url.replace("postgresql://", "postgresql://"), autocommit=True) as c:
        c.execute(f'CREATE SCHEMA "{name}"')
    url = admin_url.replace("postgresql://", "postgresql+psycopg://")
    try:
        engine = sa.create_engine(url, connect_args={"options": f"-csearch_path={name}"})
        engine.dispose()
        _table(url + f"?options=-csearch_path%3D{name}", with_id=True)
        with centre() as center:
            feed = Feed(center)
            source = QueueLogFeed(feed)
            for where, text, _ in table_lines(url + f"?options=-csearch_path%3D{name}"):
                source.line(text, where)
            source.flush()
            (hotline,) = center.views.queues(T0 + timedelta(hours=6)).queues
            assert (hotline.offered, hotline.answered, hotline.abandoned) == (12, 6, 3)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as c:
            c.execute(f'DROP SCHEMA "{name}" CASCADE')


def test_a_line_names_what_is_wrong_with_it():
    cases = {
        "1|2|3": "3 fields",
        f"{E}|C1|q|a|connect|1|": "is not an event name",
        "yesterday|C1|q|a|CONNECT|1|": "neither an epoch nor a date",
        f"{E}||q|a|CONNECT|1|": "callid is empty",
    }
    for text, reason in cases.items():
        with pytest.raises(QueueLogError, match=reason):
            parse_line(text)
    with centre() as center:
        feed = ingest(center, [f"{E}|C1|q|NONE|ENTERQUEUE||1|1|",
                               f"{E + 5}|C1|q|SIP/1|CONNECT|soon||",
                               f"{E + 9}|C1|q|SIP/1|RINGNOANSWER||"])
        # decided in the order of the call's life (rings before the answer)
        assert sorted((r.where, r.reason) for r in feed.report.rejected) == [
            ("line 2", "CONNECT data1 (hold time, s) 'soon' is not a number"),
            ("line 3", "RINGNOANSWER data1 (ring time, ms) is missing"),
        ]


def test_member_names():
    assert agent_id("SIP/1001") == "1001"
    assert agent_id("PJSIP/1001") == "1001"
    assert agent_id("Local/1004@from-queue/n") == "1004"
    assert agent_id("Li Na") == "Li Na"


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.text(max_size=80), max_size=15))
def test_garbage_never_crashes_and_stores_nothing(lines):
    with centre() as center:
        before = center.store.last_position()
        feed = ingest(center, [line.replace("\n", " ").replace("\r", " ") for line in lines])
        assert center.store.last_position() == before
        report = feed.report
        assert report.inputs == len(lines)
        assert all(r.reason for r in report.rejected)


fields = st.text(alphabet=st.characters(blacklist_characters="|\n\r"), max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=4000),
            st.sampled_from(["C1", "C2", "NONE", ""]),
            st.sampled_from([*sorted(CALL_VERBS), "PAUSE", "WHATEVER"]),
            st.lists(st.one_of(fields, st.integers(-5, 99999).map(str)), max_size=6),
        ),
        max_size=25,
    )
)
def test_shaped_garbage_is_counted_line_by_line_and_never_crashes(entries):
    lines = [
        "|".join([str(E + offset), call_id, "hotline", "SIP/1001", verb, *data]) + "|"
        for offset, call_id, verb, data in entries
    ]
    with centre() as center:
        feed = ingest(center, lines)
        assert feed.report.inputs == len(lines)
