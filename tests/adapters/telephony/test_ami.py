"""AMI against a fake Asterisk on 127.0.0.1 that speaks the real wire format (banner,
login, ``Key: Value\\r\\n`` lines, blank-line ends) and drops the connection once, in the
middle of a message."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.telephony import Feed
from callcore.adapters.telephony.ami import (
    AmiError,
    AmiLoginRefused,
    AmiSource,
    AmiTranslator,
    parse_message,
)

T0 = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)


def msg(**fields: object) -> bytes:
    return ("".join(f"{k.replace('_', '-')}: {v}\r\n" for k, v in fields.items()) + "\r\n").encode()


def ev(name: str, seconds: float, **fields: object) -> bytes:
    return msg(Event=name, Privilege="agent,all", Timestamp=f"{T0.timestamp() + seconds:.6f}",
               **fields)


BEFORE_THE_DROP = [
    ev("QueueCallerJoin", 0, Channel="SIP/trunk-1", Uniqueid="A", Queue="hotline",
       CallerIDNum="13912345678", Position=1, Count=1),
    ev("AgentCalled", 1, Uniqueid="A", Queue="hotline", MemberName="SIP/1001",
       Interface="SIP/1001"),
    ev("AgentRingNoAnswer", 9, Uniqueid="A", Queue="hotline", MemberName="SIP/1001",
       RingTime=8000),
    ev("AgentCalled", 9, Uniqueid="A", Queue="hotline", MemberName="SIP/1002"),
    ev("AgentConnect", 12, Uniqueid="A", Queue="hotline", MemberName="SIP/1002",
       HoldTime=12, RingTime=3),
    ev("QueueCallerJoin", 20, Uniqueid="B", Queue="hotline", CallerIDNum="13800138000",
       Position=2),
    ev("QueueCallerAbandon", 30, Uniqueid="B", Queue="hotline", Position=1,
       OriginalPosition=2, HoldTime=10),
    ev("QueueCallerLeave", 30, Uniqueid="B", Queue="hotline", Position=1, Count=0),
    ev("Hangup", 30.5, Uniqueid="B", Cause=16, Cause_txt="Normal Clearing"),
    ev("QueueCallerJoin", 40, Uniqueid="C", Queue="hotline", CallerIDNum="13700000003",
       Position=1),
    # Asterisk reports the queue's timeout as an abandon; no Hangup follows
    ev("QueueCallerAbandon", 340, Uniqueid="C", Queue="hotline", Position=1,
       OriginalPosition=1, HoldTime=300),
    ev("QueueCallerLeave", 340, Uniqueid="C", Queue="hotline", Position=1, Count=0),
    ev("AgentComplete", 100, Uniqueid="A", Queue="hotline", MemberName="SIP/1002",
       HoldTime=12, TalkTime=88, Reason="caller"),
    ev("NewFeatureEvent", 350, Uniqueid="Z"),
]
CUT = ev("QueueCallerJoin", 400, Uniqueid="D", Queue="hotline", CallerIDNum="13700000004",
         Position=1)
AFTER_THE_DROP = [
    CUT,  # sent again whole after the reconnection
    ev("AgentConnect", 405, Uniqueid="D", Queue="hotline", MemberName="SIP/1001",
       HoldTime=5, RingTime=2),
    ev("AgentConnect", 420, Uniqueid="E", Queue="hotline", MemberName="SIP/1003",
       HoldTime=15, RingTime=4),
    ev("AgentComplete", 480, Uniqueid="E", Queue="hotline", MemberName="SIP/1003",
       HoldTime=15, TalkTime=60, Reason="agent"),
    ev("AgentComplete", 500, Uniqueid="D", Queue="hotline", MemberName="SIP/1001",
       HoldTime=5, TalkTime=95, Reason="caller"),
]


class FakeAsterisk:
    """One script, played across connections; the first connection is cut mid-message."""

    def __init__(self, secret: str = "s3cret") -> None:
        self.secret = secret
        self.connections = 0
        self.logins: list[dict[str, str]] = []
        self.done = asyncio.Event()

    async def read_message(self, reader: asyncio.StreamReader) -> dict[str, str]:
        return parse_message((await reader.readuntil(b"\r\n\r\n"))[:-4].decode())

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        writer.write(b"Asterisk Call Manager/5.0.1\r\n")
        login = await self.read_message(reader)
        self.logins.append(login)
        if login.get("Secret") != self.secret:
            writer.write(msg(Response="Error", ActionID=login.get("ActionID", ""),
                             Message="Authentication failed"))
            await writer.drain()
            writer.close()
            return
        writer.write(msg(Response="Success", ActionID=login["ActionID"],
                         Message="Authentication accepted"))
        writer.write(msg(Event="FullyBooted", Privilege="system,all", Status="Fully Booted"))
        status = await self.read_message(reader)
        assert status["Action"] == "QueueStatus"
        writer.write(msg(Response="Success", ActionID=status["ActionID"], EventList="start",
                         Message="Queue status will follow"))
        if self.connections == 1:
            for message in BEFORE_THE_DROP:
                writer.write(message)
            writer.write(CUT[: len(CUT) // 2])  # the connection drops mid-message
            await writer.drain()
            writer.transport.abort()
            return
        # Reconnected: E joined while the connection was down and is waiting
        writer.write(msg(Event="QueueEntry", ActionID=status["ActionID"], Queue="hotline",
                         Position=1, Uniqueid="E", CallerIDNum="13700000005", Wait=5,
                         Timestamp=f"{T0.timestamp() + 410:.6f}"))
        writer.write(msg(Event="QueueStatusComplete", ActionID=status["ActionID"],
                         EventList="Complete", ListItems=1))
        for message in AFTER_THE_DROP:
            writer.write(message)
        await writer.drain()
        self.done.set()
        with contextlib.suppress(ConnectionError):
            await reader.read()  # hold the connection open until the client leaves


async def run_against(fake: FakeAsterisk, center: CallCenter, secret: str = "s3cret") -> AmiSource:
    server = await asyncio.start_server(fake.serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    feed = Feed(center)
    source = AmiSource(
        feed, host="127.0.0.1", port=port, username="callcore", secret=secret,
        translator=AmiTranslator(known=center.calls.exists),
        first_retry_seconds=0.05,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(source.run(stop))
    try:
        waited = asyncio.ensure_future(fake.done.wait())
        done, _ = await asyncio.wait({task, waited}, timeout=20,
                                     return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()  # raises what ended it
        await asyncio.sleep(0.3)  # let the last messages be read
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
        server.close()
        await server.wait_closed()
    return source


def test_calls_survive_a_dropped_connection_neither_lost_nor_doubled():
    with CallCenter.open("memory://", clock=ManualClock(T0 + timedelta(hours=1))) as center:
        fake = FakeAsterisk()
        source = asyncio.run(run_against(fake, center))
        assert fake.connections == 2 and source.connections == 2
        assert fake.logins[0]["Events"] == "agent,call"
        report = source.feed.report
        assert report.refused == {}, report.refused
        assert report.unknown == {"NewFeatureEvent": 1}
        offered = {}
        for stream in ("A", "B", "C", "D", "E"):
            events = [type(r.event).__name__ for r in center.history(f"call-{stream}")]
            offered[stream] = events.count("CallOffered")
        assert offered == {"A": 1, "B": 1, "C": 1, "D": 1, "E": 1}
        a, b, c, d, e = (center.calls.get(x) for x in "ABCDE")
        assert (a.status, a.agent, a.waited_seconds) == ("completed", "1002", 12)
        assert b.status == "abandoned"
        assert c.status == "timed-out"  # an abandon with no Hangup: the queue's timeout
        assert d.agent == "1001" and e.agent == "1003"
        # E was recovered from QueueStatus: offered when it joined (410 − 5 s)
        assert center.history("call-E")[0].event.at == T0 + timedelta(seconds=405)
        rang = [r.event for r in center.history("call-A")
                if type(r.event).__name__ == "RingNotAnswered"]
        assert rang[0].ring_seconds == 8.0  # RingTime in ms
        queues = center.views.queues(T0 + timedelta(hours=1))
        (hotline,) = queues.queues
        assert (hotline.offered, hotline.answered, hotline.abandoned, hotline.timed_out) == (
            5, 3, 1, 1)


def test_a_refused_login_is_a_clear_error_not_a_retry_loop():
    with CallCenter.open("memory://") as center:
        fake = FakeAsterisk()
        with pytest.raises(AmiLoginRefused, match="Authentication failed"):
            asyncio.run(run_against(fake, center, secret="wrong"))
        assert fake.connections == 1


def test_message_parsing_names_the_bad_line():
    assert parse_message("Event: Hangup\r\nUniqueid: 1.2\r\nCause-txt: Normal") == {
        "Event": "Hangup", "Uniqueid": "1.2", "Cause-txt": "Normal"}
    with pytest.raises(AmiError, match="not a 'Key: Value' line"):
        parse_message("Event: Hangup\r\nthis is not a field")
    translator = AmiTranslator()
    with pytest.raises(AmiError, match="AgentConnect without a Uniqueid"):
        translator.translate({"Event": "AgentConnect"})
    with pytest.raises(AmiError, match="RingTime 'soon' is not a number"):
        translator.translate({"Event": "AgentRingNoAnswer", "Uniqueid": "x",
                              "MemberName": "SIP/1", "RingTime": "soon"})


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(max_size=200))
def test_garbage_is_rejected_or_ignored_and_stores_nothing(text):
    with CallCenter.open("memory://", clock=ManualClock(T0)) as center:
        before = center.store.last_position()
        feed = Feed(center)
        source = AmiSource(feed, host="x", username="u", secret="s")
        try:
            message = parse_message(text)
        except AmiError:
            return
        source._handle(message)
        assert center.store.last_position() == before


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.dictionaries(
        st.sampled_from(["Event", "Uniqueid", "Queue", "MemberName", "RingTime", "HoldTime",
                         "Position", "Timestamp", "Wait", "Reason"]),
        st.one_of(st.sampled_from(["QueueCallerJoin", "AgentConnect", "QueueCallerAbandon",
                                   "Hangup", "AgentRingNoAnswer", "QueueEntry"]),
                  st.text(max_size=12), st.floats(allow_nan=True).map(str)),
        min_size=1,
    )
)
def test_shaped_garbage_never_crashes_the_feed(message):
    with CallCenter.open("memory://", clock=ManualClock(T0)) as center:
        source = AmiSource(Feed(center), host="x", username="u", secret="s")
        source._handle(message)
        assert source.feed.report.inputs == 1
