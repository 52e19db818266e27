"""The agents' day from queue_log presence lines and the calls they took, worked by
hand; `callcore views --view agents` and `--view intervals` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.telephony import Feed
from callcore.adapters.telephony.queue_log import QueueLogFeed
from callcore.projections.agents import AgentDay

T0 = datetime(2026, 11, 3, 1, 0, tzinfo=UTC)  # 09:00 in the centre (UTC+8)
E = int(T0.timestamp())
NOW = T0 + timedelta(hours=2)

# 1001 logs in at 09:00, lunch 09:30-10:00, a call 09:10:08-09:15:08 (300 s) and one
# 10:20:05-10:30:05 (600 s), rings once unanswered; logs off 10:40. 1002 joins the
# queue at 09:00 and pauses ("training") at 10:00, still paused at 11:00 (60 min: past
# the 15-minute threshold).
LINES = [
    f"{E}|NONE|NONE|Agent/1001|AGENTLOGIN|SIP/1001-0001|",
    f"{E}|NONE|hotline|SIP/1002|ADDMEMBER||",
    f"{E + 600}|C1|hotline|NONE|ENTERQUEUE||REDACTED|1|",
    f"{E + 605}|C1|hotline|SIP/1002|RINGNOANSWER|5000|",
    f"{E + 608}|C1|hotline|Agent/1001|CONNECT|8|C1.2|3|",
    f"{E + 908}|C1|hotline|Agent/1001|COMPLETECALLER|8|300|1|",
    f"{E + 1800}|NONE|NONE|Agent/1001|PAUSEALL|lunch|",
    f"{E + 3600}|NONE|NONE|Agent/1001|UNPAUSEALL||",
    f"{E + 3600}|NONE|hotline|SIP/1002|PAUSE|training|",
    f"{E + 4800}|C2|hotline|NONE|ENTERQUEUE||REDACTED|1|",
    f"{E + 4805}|C2|hotline|Agent/1001|CONNECT|5|C2.2|3|",
    f"{E + 5405}|C2|hotline|Agent/1001|COMPLETEAGENT|5|600|1|",
    f"{E + 6000}|NONE|NONE|Agent/1001|AGENTLOGOFF|SIP/1001-0001|6000|",
]


def test_the_agents_day_worked_by_hand() -> None:
    with CallCenter.open("memory://", clock=ManualClock(NOW)) as center:
        feed = Feed(center)
        QueueLogFeed(feed).read((t, f"line {n}") for n, t in enumerate(reversed(LINES), 1))
        assert feed.report.refused == {}, feed.report.refusals
        fold = AgentDay(center.directory).apply_all(center.views.records(NOW))
        rows = {row.agent: row for row in fold.view(NOW, T0, T0 + timedelta(days=1)).agents}
        first, second = rows["1001"], rows["1002"]
        assert first.logged_in_seconds == 6000 and first.paused_seconds == 1800
        assert {p.reason: p.seconds for p in first.paused_by_reason} == {"lunch": 1800}
        assert first.talk_seconds == 900 and first.calls_answered == 2
        assert first.average_handle_seconds == 450
        assert first.occupancy == 900 / (6000 - 1800)
        assert first.state == "logged-out"
        assert second.logged_in_seconds == 7200 and second.paused_seconds == 3600
        assert second.ring_no_answers == 1 and second.calls_answered == 0
        assert (second.state, second.pause_reason, second.paused_too_long) == (
            "paused", "training", True
        )
        assert second.occupancy == 0.0
        # as of 09:12 agent 1001 was talking, 1002 available
        early = {r.agent: r for r in fold.view(T0 + timedelta(minutes=12)).agents}
        assert early["1001"].state == "talking" and early["1002"].state == "available"


def callcore(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "callcore", *args], capture_output=True,
                          text=True, timeout=300, check=False)


def test_views_agents_and_intervals_on_the_command_line(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text("\n".join(LINES) + "\n")
    store = f"sqlite:///{tmp_path}/centre.db"
    done = callcore("telephony", "ingest", "--queue-log", str(log), "--db", store)
    assert done.returncode == 0, done.stderr
    at = (NOW).isoformat()
    # the file's day was ingested today: as of that day the store had recorded nothing,
    # so the question is what had happened by then, knowing everything now (issue 19)
    nothing = callcore("views", "--db", store, "--view", "agents", "--at", at, "--format", "json")
    assert json.loads(nothing.stdout)["agents"] == []
    agents = callcore("views", "--db", store, "--view", "agents", "--at", at,
                      "--format", "json", "--knowing", "now")
    assert agents.returncode == 0, agents.stderr
    data = json.loads(agents.stdout)
    assert [a["agent"] for a in data["agents"]] == ["1001", "1002"]
    assert data["agents"][1]["paused_too_long"] is True
    assert data["agents"][0]["paused_by_reason"] == {"lunch": 1800.0}
    table = callcore("views", "--db", store, "--view", "agents", "--at", at, "--knowing", "now")
    assert "PAUSED TOO LONG" in table.stdout and "lunch 0:30:00" in table.stdout
    intervals = callcore("views", "--db", store, "--view", "intervals", "--at", at,
                         "--interval-minutes", "15", "--thresholds", "5,15", "--format", "json",
                         "--knowing", "now")
    assert intervals.returncode == 0, intervals.stderr
    report = json.loads(intervals.stdout)
    rows = report["intervals"]
    assert [(r["start"][11:16], r["offered"], r["answered"]) for r in rows] == [
        ("09:00", 1, 1), ("10:15", 1, 1)  # the centre's own time (UTC+8)
    ]
    assert rows[0]["service_level"]["5"]["excluding-abandons"] == 0.0  # waited 8 s
    assert rows[1]["service_level"]["5"]["excluding-abandons"] == 1.0  # waited 5 s
    bad = callcore("views", "--db", store, "--view", "intervals", "--interval-minutes", "20")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
