"""Agents' presence over AMI, against a fake Asterisk on 127.0.0.1 speaking the wire
format: QueueStatus's QueueMember (who is logged in and paused when callcore connects),
QueueMemberAdded/Removed, QueueMemberPause with a reason, QueueMemberStatus repeats."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.telephony import Feed
from callcore.adapters.telephony.ami import AmiSource, AmiTranslator, parse_message
from callcore.projections.agents import AgentDay

from .test_ami import T0, ev, msg

SCRIPT = [
    ev("QueueMemberAdded", 60, Queue="hotline", MemberName="SIP/1002", Interface="SIP/1002",
       Paused=0, Status=1),
    ev("QueueCallerJoin", 100, Uniqueid="P1", Queue="hotline", CallerIDNum="13912345678",
       Position=1),
    ev("AgentConnect", 106, Uniqueid="P1", Queue="hotline", MemberName="SIP/1001",
       HoldTime=6, RingTime=2),
    ev("AgentComplete", 406, Uniqueid="P1", Queue="hotline", MemberName="SIP/1001",
       HoldTime=6, TalkTime=300, Reason="caller"),
    ev("QueueMemberPause", 600, Queue="hotline", MemberName="SIP/1001", Interface="SIP/1001",
       Paused=1, PausedReason="lunch"),
    # Asterisk repeats the member's state in QueueMemberStatus: nothing new
    ev("QueueMemberStatus", 601, Queue="hotline", MemberName="SIP/1001", Paused=1,
       PausedReason="lunch", Status=1),
    ev("QueueMemberPause", 2400, Queue="hotline", MemberName="SIP/1001", Paused=0),
    ev("QueueMemberPause", 2500, Queue="hotline", MemberName="SIP/1002", Paused=1,
       PausedReason="training"),
    ev("QueueMemberRemoved", 3000, Queue="hotline", MemberName="SIP/1002"),
    ev("QueueMemberPause", 3100, Queue="hotline", MemberName="SIP/1003", Paused="maybe"),
]


class FakeAsterisk:
    def __init__(self) -> None:
        self.done = asyncio.Event()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def read() -> dict[str, str]:
            return parse_message((await reader.readuntil(b"\r\n\r\n"))[:-4].decode())

        writer.write(b"Asterisk Call Manager/5.0.1\r\n")
        login = await read()
        writer.write(msg(Response="Success", ActionID=login["ActionID"],
                         Message="Authentication accepted"))
        status = await read()
        writer.write(msg(Response="Success", ActionID=status["ActionID"], EventList="start"))
        # who is logged in when callcore connects: 1001, not paused
        writer.write(msg(Event="QueueMember", ActionID=status["ActionID"], Queue="hotline",
                         Name="SIP/1001", Location="SIP/1001", MemberName="SIP/1001",
                         StateInterface="SIP/1001", Membership="dynamic", Penalty=0,
                         CallsTaken=0, LastCall=0, Status=1, Paused=0,
                         Timestamp=f"{T0.timestamp():.6f}"))
        writer.write(msg(Event="QueueStatusComplete", ActionID=status["ActionID"],
                         EventList="Complete", ListItems=1))
        for message in SCRIPT:
            writer.write(message)
        await writer.drain()
        self.done.set()
        with contextlib.suppress(ConnectionError):
            await reader.read()


async def run(center: CallCenter) -> AmiSource:
    fake = FakeAsterisk()
    server = await asyncio.start_server(fake.serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    source = AmiSource(Feed(center), host="127.0.0.1", port=port, username="callcore",
                       secret="s3cret", translator=AmiTranslator(known=center.calls.exists),
                       first_retry_seconds=0.05)
    stop = asyncio.Event()
    task = asyncio.create_task(source.run(stop))
    try:
        await asyncio.wait_for(fake.done.wait(), timeout=20)
        await asyncio.sleep(0.3)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
        server.close()
        await server.wait_closed()
    return source


def test_pause_and_member_events_become_the_agents_day() -> None:
    now = T0 + timedelta(hours=1)
    with CallCenter.open("memory://", clock=ManualClock(now)) as center:
        source = asyncio.run(run(center))
        report = source.feed.report
        assert report.refused == {}, report.refusals
        (rejected,) = report.rejected  # Paused: maybe
        assert "Paused 'maybe'" in rejected.reason
        fold = AgentDay(center.directory).apply_all(center.views.records(now))
        rows = {row.agent: row for row in fold.view(now, T0, now).agents}
        first, second = rows["1001"], rows["1002"]
        # 1001: logged in all hour (3600 s), lunch 600..2400 s, talked 300 s
        assert first.logged_in_seconds == 3600
        assert {p.reason: p.seconds for p in first.paused_by_reason} == {"lunch": 1800}
        assert (first.talk_seconds, first.calls_answered) == (300, 1)
        assert first.occupancy == 300 / (3600 - 1800)
        assert first.state == "available"
        # 1002: added at 60 s, paused for training at 2500 s, removed at 3000 s
        assert second.logged_in_seconds == 3000 - 60
        assert {p.reason: p.seconds for p in second.paused_by_reason} == {"training": 500}
        assert second.state == "logged-out"
        assert center.calls.get("P1").waited_seconds == 6  # AgentConnect HoldTime
        pauses = [type(r.event).__name__ for r in center.history("agent-1001")]
        assert pauses.count("AgentPaused") == 1  # the QueueMemberStatus repeat: nothing
