"""Read models in SQL tables (SQLAlchemy 2.0), kept up to date by a projection worker.

The phone queues are materialised one row per inbound call in ``callcore_queue_calls``
(queue, offered, answered, ended, wait, outcome), from which the service level of any
period is one SQL query. The SLA clocks are materialised one row per clock instance in
``callcore_sla_clocks``
(the full instance as JSON, plus columns to query by: clock, subject, started/stopped,
policy version, branch, department, agent, field worker), with the fold's remaining state
in ``callcore_view_state`` and the last event folded in ``callcore_view_tracking``.

**Exactly once.** A batch of events is folded in memory, then its changed rows, the
fold's state and the new tracking position are written in *one* transaction; the position
is advanced only from the value the worker read (a conditional update), so a worker that
was killed mid-batch resumes from the last committed position, and two workers racing on
the same view cannot both commit the same batch. A rebuild from scratch is one call.

**Following the log.** The worker pulls the store's notification log in batches (the way
that works on SQLite, where eventsourcing has no subscriptions). With ``follow`` it then
waits for more: on PostgreSQL it LISTENs to the channel the library NOTIFYs on every
append and wakes at once; on SQLite it polls every 200 ms.

The read models live in the store's own database by default (``memory://`` gets an
in-memory SQLite), or in any SQLAlchemy URL given.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import orjson
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.pool import StaticPool

from callcore.adapters.converter import CONVERTER
from callcore.domain.calendar import BusinessCalendar
from callcore.domain.directory import Directory, SlaPolicy
from callcore.ports import EventStore
from callcore.projections.answering import AnswerRule
from callcore.projections.daily import BranchDay, DailyReport, DailyView
from callcore.projections.queues import CallFacts, QueueMetrics, QueueView
from callcore.projections.satisfaction import Satisfaction
from callcore.projections.sla import ClockInstance, SlaClocks, SlaView

SLA_VIEW = "sla"
QUEUE_VIEW = "queues"

metadata = MetaData()
tracking = Table(
    "callcore_view_tracking",
    metadata,
    Column("view", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)
view_state = Table(
    "callcore_view_state",
    metadata,
    Column("view", String(64), primary_key=True),
    Column("data", Text, nullable=False),
)
sla_clocks = Table(
    "callcore_sla_clocks",
    metadata,
    Column("clock", String(64), primary_key=True),
    Column("subject", String(200), primary_key=True),
    Column("instance", Integer, primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("stopped_at", DateTime(timezone=True)),
    Column("dropped_at", DateTime(timezone=True)),
    Column("policy_version", String(64), nullable=False),
    Column("branch", String(64)),
    Column("department", String(64)),
    Column("agent", String(64)),
    Column("field_worker", String(64)),
    Column("data", Text, nullable=False),
)


queue_calls = Table(
    "callcore_queue_calls",
    metadata,
    Column("stream", String(200), primary_key=True),
    Column("call_id", String(200), nullable=False),
    Column("queue", String(64), nullable=False),
    Column("offered_at", DateTime(timezone=True), nullable=False),
    Column("answered_at", DateTime(timezone=True)),
    Column("ended_at", DateTime(timezone=True)),
    Column("waited_seconds", Float),
    Column("outcome", String(32)),
)
queue_call_answer = Table(
    # what the one answer figure needs beyond callcore_queue_calls (issue 16): after
    # hours, and the answer rule of the policy the call was offered under. A table of
    # its own, so a database made before it gains it with create_all.
    "callcore_queue_call_answer",
    metadata,
    Column("stream", String(200), primary_key=True),
    Column("data", Text, nullable=False),
)


daily_branch = Table(
    "callcore_daily_branch",
    metadata,
    Column("day", Date, primary_key=True),
    Column("branch", String(64), primary_key=True),
    Column("data", Text, nullable=False),
)
satisfaction_daily = Table(
    "callcore_satisfaction_daily",
    metadata,
    Column("day", Date, primary_key=True),
    Column("dimension", String(16), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("calls", Integer, nullable=False),
    Column("reached", Integer, nullable=False),
    Column("rated", Integer, nullable=False),
    Column("rating_sum", Integer, nullable=False),
    Column("satisfied", Integer, nullable=False),
    Column("on_time_answers", Integer, nullable=False),
    Column("on_time_yes", Integer, nullable=False),
    Column("safety_answers", Integer, nullable=False),
    Column("safety_yes", Integer, nullable=False),
    Column("complaints", Integer, nullable=False),
    Column("re_complaints", Integer, nullable=False),
)


class PositionMoved(RuntimeError):
    """Another worker advanced the view while this one was folding: nothing was written."""


def sqlalchemy_url(store_url: str) -> tuple[str, dict[str, Any]]:
    """The SQLAlchemy URL and engine options for the read models of a store URL."""
    parts = urlsplit(store_url)
    scheme = parts.scheme.lower()
    if scheme == "memory":
        return "sqlite://", {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    if scheme == "sqlite":
        return store_url, {"connect_args": {"timeout": 30}}
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        query = parse_qs(parts.query)
        options: dict[str, Any] = {"pool_pre_ping": True}
        if "schema" in query:
            options["connect_args"] = {"options": f"-csearch_path={query['schema'][0]}"}
        bare = urlunsplit(("postgresql+psycopg", parts.netloc, parts.path, "", ""))
        return bare, options
    return store_url, {}


class SqlReadModels:
    """The read-model tables of one database."""

    def __init__(self, url: str, *, engine: Engine | None = None) -> None:
        if engine is None:
            sa_url, options = sqlalchemy_url(url)
            engine = create_engine(sa_url, **options)
            if sa_url.startswith("sqlite"):
                event.listen(engine, "connect", _sqlite_pragmas)
        self.engine = engine
        metadata.create_all(engine)

    # -- tracking ------------------------------------------------------------------

    def position(self, view: str = SLA_VIEW, connection: Connection | None = None) -> int:
        query = select(tracking.c.position).where(tracking.c.view == view)
        if connection is not None:
            found = connection.execute(query).scalar()
        else:
            with self.engine.connect() as fresh:
                found = fresh.execute(query).scalar()
        return int(found or 0)

    def _advance(self, connection: Connection, view: str, old: int, new: int) -> None:
        if (
            old == 0
            and connection.execute(
                select(tracking.c.position).where(tracking.c.view == view)
            ).first()
            is None
        ):
            connection.execute(insert(tracking).values(view=view, position=new))
            return
        moved = connection.execute(
            update(tracking)
            .where(tracking.c.view == view, tracking.c.position == old)
            .values(position=new)
        )
        if moved.rowcount != 1:
            raise PositionMoved(f"view {view!r} is no longer at {old}: another worker moved it")

    # -- the SLA clocks ------------------------------------------------------------

    def save(
        self,
        sla: SlaClocks,
        queues: QueueMetrics,
        old: int,
        new: int,
        daily: DailyReport | None = None,
        days: Iterable[date] = (),
    ) -> None:
        """Write every view's changed rows and the new position in one transaction."""
        with self.engine.begin() as connection:
            self._advance(connection, SLA_VIEW, old, new)
            self._save_sla(connection, sla)
            self._save_queues(connection, queues)
            if daily is not None:
                for day in sorted(set(days)):
                    self._save_day(connection, daily, day)

    def _save_day(self, connection: Connection, report: DailyReport, day: date) -> None:
        last = report.sla.last_at
        if last is None:
            return
        end = report.view(day).as_of
        view = report.view(day, at=min(end, last))
        connection.execute(delete(daily_branch).where(daily_branch.c.day == day))
        rows = [
            {
                "day": day,
                "branch": row.branch,
                "data": orjson.dumps(
                    {"as_of": view.as_of.isoformat(), "row": CONVERTER.unstructure(row)}
                ).decode(),
            }
            for row in (*view.branches, view.totals)
        ]
        connection.execute(insert(daily_branch), rows)
        connection.execute(delete(satisfaction_daily).where(satisfaction_daily.c.day == day))
        sums = satisfaction_sums(report.satisfaction, report.calendar, day)
        if sums:
            connection.execute(insert(satisfaction_daily), sums)

    def daily(self, day: date) -> DailyView | None:
        """The daily report of a day as the worker last wrote it (None: no activity)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(daily_branch.c.branch, daily_branch.c.data).where(daily_branch.c.day == day)
            ).all()
        if not rows:
            return None
        stored = {branch: orjson.loads(data) for branch, data in rows}
        days = {b: CONVERTER.structure(d["row"], BranchDay) for b, d in stored.items()}
        totals = days.pop("all")
        return DailyView(
            day=day,
            as_of=datetime.fromisoformat(stored["all"]["as_of"]),
            branches=tuple(days[name] for name in sorted(days)),
            totals=totals,
        )

    def satisfaction(self, dimension: str, since: date, until: date) -> dict[str, dict[str, Any]]:
        """Satisfaction per ``worker``, ``branch`` or ``agent`` over days [since, until],
        summed in SQL from the daily rows."""
        columns = [c for c in satisfaction_daily.c if c.name not in ("day", "dimension", "id")]
        query = (
            select(satisfaction_daily.c.id, *[func.sum(c).label(c.name) for c in columns])
            .where(
                satisfaction_daily.c.dimension == dimension,
                satisfaction_daily.c.day >= since,
                satisfaction_daily.c.day <= until,
            )
            .group_by(satisfaction_daily.c.id)
        )
        with self.engine.connect() as connection:
            found = connection.execute(query).mappings().all()
        return {row["id"]: _satisfaction_row(row) for row in found}

    def _save_queues(self, connection: Connection, fold: QueueMetrics) -> None:
        for stream in fold.take_dirty():
            connection.execute(delete(queue_calls).where(queue_calls.c.stream == stream))
            connection.execute(
                delete(queue_call_answer).where(queue_call_answer.c.stream == stream)
            )
            facts = fold.calls.get(stream)
            if facts is not None:
                answer = {
                    "after_hours": facts.after_hours,
                    "ended_after_hours": facts.ended_after_hours,
                    "rule": CONVERTER.unstructure(facts.rule),
                }
                connection.execute(
                    insert(queue_call_answer).values(
                        stream=stream, data=orjson.dumps(answer).decode()
                    )
                )
                connection.execute(
                    insert(queue_calls).values(
                        stream=stream,
                        call_id=facts.call_id,
                        queue=facts.queue,
                        # in UTC: SQLite keeps a datetime's wall time and drops its
                        # offset, and the rows are read back as UTC
                        offered_at=facts.offered_at.astimezone(UTC),
                        answered_at=_in_utc(facts.answered_at),
                        ended_at=_in_utc(facts.ended_at),
                        waited_seconds=facts.waited_seconds,
                        outcome=facts.outcome,
                    )
                )
        connection.execute(delete(view_state).where(view_state.c.view == QUEUE_VIEW))
        policy = orjson.dumps(CONVERTER.unstructure(fold.policy)).decode()
        connection.execute(insert(view_state).values(view=QUEUE_VIEW, data=policy))

    def load_queues(self, directory: Directory) -> QueueMetrics:
        fold = QueueMetrics(directory)
        with self.engine.connect() as connection:
            stored = connection.execute(
                select(view_state.c.data).where(view_state.c.view == QUEUE_VIEW)
            ).scalar()
            if stored:
                fold.policy = CONVERTER.structure(orjson.loads(stored), SlaPolicy)
            answers = {
                row.stream: orjson.loads(row.data)
                for row in connection.execute(select(queue_call_answer))
            }
            for row in connection.execute(select(queue_calls)).mappings():
                answer = answers.get(row["stream"], {})
                rule = answer.get("rule")
                fold.calls[row["stream"]] = CallFacts(
                    call_id=row["call_id"],
                    queue=row["queue"],
                    offered_at=_utc(row["offered_at"]),
                    answered_at=_aware(row["answered_at"]),
                    waited_seconds=row["waited_seconds"],
                    ended_at=_aware(row["ended_at"]),
                    outcome=row["outcome"],
                    after_hours=answer.get("after_hours", False),
                    ended_after_hours=answer.get("ended_after_hours", False),
                    rule=None if rule is None else CONVERTER.structure(rule, AnswerRule),
                )
        return fold

    def queues(self, directory: Directory, at: datetime) -> QueueView:
        return self.load_queues(directory).view(at)

    def save_sla(self, fold: SlaClocks, old: int, new: int) -> None:
        with self.engine.begin() as connection:
            self._advance(connection, SLA_VIEW, old, new)
            self._save_sla(connection, fold)

    def _save_sla(self, connection: Connection, fold: SlaClocks) -> None:
        """Write the changed clock instances and the fold's state."""
        dirty = fold.take_dirty()
        for clock, subject in dirty:
            connection.execute(
                delete(sla_clocks).where(
                    sla_clocks.c.clock == clock, sla_clocks.c.subject == subject
                )
            )
            rows = [_clock_row(instance) for instance in fold.instances.get((clock, subject), [])]
            if rows:
                connection.execute(insert(sla_clocks), rows)
        state = {
            "policy": CONVERTER.unstructure(fold.policy),
            "customer_levels": fold.customer_levels,
            "subject_facts": fold.subject_facts,
            "last_at": fold.last_at.isoformat() if fold.last_at else None,
        }
        connection.execute(delete(view_state).where(view_state.c.view == SLA_VIEW))
        connection.execute(
            insert(view_state).values(view=SLA_VIEW, data=orjson.dumps(state).decode())
        )

    def load_sla(self, directory: Directory) -> SlaClocks:
        """The SLA fold as last committed (empty when nothing was)."""
        fold = SlaClocks(directory)
        with self.engine.connect() as connection:
            stored = connection.execute(
                select(view_state.c.data).where(view_state.c.view == SLA_VIEW)
            ).scalar()
            rows = connection.execute(
                select(sla_clocks.c.data).order_by(
                    sla_clocks.c.clock, sla_clocks.c.subject, sla_clocks.c.instance
                )
            ).scalars()
            for data in rows:
                instance = CONVERTER.structure(orjson.loads(data), ClockInstance)
                fold.restore(instance)
        if stored:
            state = orjson.loads(stored)
            fold.policy = CONVERTER.structure(state["policy"], SlaPolicy)
            fold.customer_levels = dict(state["customer_levels"])
            fold.subject_facts = {k: dict(v) for k, v in state["subject_facts"].items()}
            fold.last_at = datetime.fromisoformat(state["last_at"]) if state["last_at"] else None
        return fold

    def sla(self, directory: Directory, at: datetime) -> SlaView:
        """The SLA view from the tables, as of any instant up to what has been folded."""
        return self.load_sla(directory).view(at)

    def clear(self) -> None:
        with self.engine.begin() as connection:
            for table in (
                sla_clocks,
                queue_calls,
                queue_call_answer,
                daily_branch,
                satisfaction_daily,
                view_state,
                tracking,
            ):
                connection.execute(delete(table))

    def close(self) -> None:
        self.engine.dispose()


def satisfaction_sums(
    fold: Satisfaction, calendar: BusinessCalendar, day: date
) -> list[dict[str, Any]]:
    """Per dimension and id, the day's sums from which any period's means and shares are
    computed exactly (never an average of averages)."""
    sums: dict[tuple[str, str], dict[str, int]] = {}

    def slot(dimension: str, ident: str | None) -> dict[str, int] | None:
        if ident is None:
            return None
        return sums.setdefault((dimension, ident), dict.fromkeys(_SUM_COLUMNS, 0))

    for rated in fold.rated:
        if calendar.local(rated.at).date() != day:
            continue
        for dimension, ident in (
            ("worker", rated.worker),
            ("branch", rated.branch),
            ("agent", rated.agent),
        ):
            row = slot(dimension, ident)
            if row is None:
                continue
            row["calls"] += 1
            if rated.reached:
                row["reached"] += 1
                if rated.rating is not None:
                    row["rated"] += 1
                    row["rating_sum"] += rated.rating
                    row["satisfied"] += rated.rating >= 4
                if rated.on_time is not None:
                    row["on_time_answers"] += 1
                    row["on_time_yes"] += rated.on_time
                if rated.safety_check is not None:
                    row["safety_answers"] += 1
                    row["safety_yes"] += rated.safety_check
    for lodged in fold.lodged:
        if calendar.local(lodged.at).date() != day:
            continue
        for dimension, ident in (
            ("worker", lodged.worker),
            ("branch", lodged.branch),
            ("agent", lodged.agent),
        ):
            row = slot(dimension, ident)
            if row is not None:
                row["complaints"] += 1
                row["re_complaints"] += lodged.re_complaint
    return [
        {"day": day, "dimension": dimension, "id": ident, **values}
        for (dimension, ident), values in sorted(sums.items())
    ]


_SUM_COLUMNS = (
    "calls",
    "reached",
    "rated",
    "rating_sum",
    "satisfied",
    "on_time_answers",
    "on_time_yes",
    "safety_answers",
    "safety_yes",
    "complaints",
    "re_complaints",
)


def _satisfaction_row(row: Any) -> dict[str, Any]:
    def share(yes: int, answers: int) -> float | None:
        return yes / answers if answers else None

    return {
        "calls": int(row["calls"]),
        "reached": int(row["reached"]),
        "mean_rating": row["rating_sum"] / row["rated"] if row["rated"] else None,
        "satisfied_share": share(row["satisfied"], row["rated"]),
        "on_time_share": share(row["on_time_yes"], row["on_time_answers"]),
        "safety_check_share": share(row["safety_yes"], row["safety_answers"]),
        "complaints": int(row["complaints"]),
        "re_complaints": int(row["re_complaints"]),
    }


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes (written in UTC: see ``_save_queues``)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _in_utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


def _clock_row(instance: ClockInstance) -> dict[str, Any]:
    latest = (
        instance.attribution_changes[-1][1]
        if instance.attribution_changes
        else (instance.attribution)
    )
    return {
        "clock": instance.clock,
        "subject": instance.subject,
        "instance": instance.instance,
        "started_at": instance.started_at,
        "stopped_at": instance.stopped_at,
        "dropped_at": instance.dropped_at,
        "policy_version": instance.policy_version,
        "branch": latest.branch,
        "department": latest.department,
        "agent": latest.agent,
        "field_worker": latest.field_worker,
        "data": orjson.dumps(CONVERTER.unstructure(instance)).decode(),
    }


def _sqlite_pragmas(connection: Any, _: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class ProjectionWorker:
    """Folds the store's new events into the SQL read models, batch by batch."""

    def __init__(
        self,
        store: EventStore,
        read_models: SqlReadModels,
        directory: Directory,
        *,
        batch_size: int = 500,
        after_batch: Callable[[int], None] | None = None,
    ) -> None:
        self.store = store
        self.read_models = read_models
        self.directory = directory
        self.batch_size = batch_size
        self.after_batch = after_batch
        self.fold = read_models.load_sla(directory)
        self.queues = read_models.load_queues(directory)
        self.position = read_models.position()
        # The daily report's working state is rebuilt from the log on start (read only);
        # its rows are rewritten per day touched, so a resumed worker writes them again.
        self.daily = DailyReport(directory)
        if self.position:
            for positioned in store.read_all(0):
                if positioned.position > self.position:
                    break  # positions can have gaps (PostgreSQL): stop by position
                self.daily.apply(positioned.recorded)

    def run_once(self) -> int:
        """Fold one batch; returns how many events it folded (0: caught up)."""
        batch = list(self.store.read_all(self.position, limit=self.batch_size))
        if not batch:
            return 0
        days = set()
        for positioned in batch:
            self.fold.apply(positioned.recorded)
            self.queues.apply(positioned.recorded)
            self.daily.apply(positioned.recorded)
            days.add(self.daily.calendar.local(positioned.recorded.event.at).date())
        # a clock stopped today may have started on an earlier day: its day changes too
        days |= {
            self.daily.calendar.local(instances[-1].started_at).date()
            for key in self.fold.dirty
            if (instances := self.fold.instances.get(key))
        }
        # a dispatch booked for a later day changes that day's figures too
        days |= self.daily.take_touched_days()
        new = batch[-1].position
        self.read_models.save(self.fold, self.queues, self.position, new, self.daily, days)
        self.position = new
        if self.after_batch is not None:
            self.after_batch(new)
        return len(batch)

    def store_wait(self, seconds: float) -> None:
        """Wait for new events (LISTEN/NOTIFY on PostgreSQL), at most ``seconds``."""
        self.store.wait_for_events(seconds)

    def catch_up(self) -> int:
        total = 0
        while (folded := self.run_once()) > 0:
            total += folded
        return total

    def run(
        self,
        *,
        follow: bool = False,
        poll_seconds: float = 0.2,
        stop: threading.Event | None = None,
    ) -> int:
        total = self.catch_up()
        wait = self.store.wait_for_events
        while follow and not (stop is not None and stop.is_set()):
            wait(poll_seconds)
            total += self.catch_up()
        return total

    def rebuild(self) -> int:
        """Drop the read models and fold the whole log again."""
        self.read_models.clear()
        self.fold = SlaClocks(self.directory)
        self.queues = QueueMetrics(self.directory)
        self.daily = DailyReport(self.directory)
        self.position = 0
        return self.catch_up()


def fold_from_scratch(records: Iterable[Any], directory: Directory) -> SlaClocks:
    return SlaClocks(directory).apply_all(records)
