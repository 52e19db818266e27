"""``callcore simulate``: a seeded, realistic generator of a centre's days.

It drives the real domain: every step is a command through ``CallCenter.handle`` on a
clock the simulation moves, so every event it writes is one the deciders would record,
and a step the rules refuse is counted, not forced. The same :class:`Settings` give the
same commands in the same order — and therefore a byte-identical event log.

What a day looks like (the manuals' mix, tunable in :class:`Settings`):

* inbound calls arrive by hour of day (a morning and an afternoon peak, weekends at
  60 %), are queued for the agents on shift (early 06:00–14:00, late 14:00–22:00) and
  answered when one is free — or abandoned when the caller's patience runs out first;
  some ring an agent who does not pick up;
* an answered call is an order (registered or walk-in), an inquiry (answered on the spot,
  or promised a callback and transferred), a fault report with a service visit, a
  complaint, an emergency (报险), a consumables request, a new account or a change of
  contact details;
* field work takes time: deliveries and repairs are assigned by the branch, driven to
  and finished — usually within the window, sometimes late, sometimes moved or
  cancelled — so some clocks breach;
* calls after hours reach voicemail; the callbacks are made the next morning, most before
  08:30;
* every afternoon the agents work the follow-up list (3, 10 and 30 days after a purchase,
  after repairs, after complaints); some customers are not reached, the rest answer with
  a rating, and now and then a problem is relayed to a department;
* the processes (notifications, follow-up retries, voicemail callbacks) run every
  quarter of an hour, as ``callcore worker --notify`` would.

The simulated centre is the demo city of Hexi with as many field workers as the seats
need (one delivery worker per branch for every 5 agents); the directory in force is
written in the log's header, so the log is self-contained.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
import random
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import IO, Any, Protocol, TypeVar

import attrs
import orjson
from attrs import frozen

from callcore.adapters.clock import ManualClock
from callcore.adapters.converter import event_from_dict, event_to_dict
from callcore.adapters.directory_file import demo_directory
from callcore.adapters.eventlog import event_line
from callcore.adapters.eventstore import open_store
from callcore.center import CallCenter
from callcore.domain import call, complaint, customer, dispatch, order, ticket
from callcore.domain.calendar import BusinessCalendar, zone
from callcore.domain.common import (
    Actor,
    Channel,
    Command,
    Contact,
    DomainError,
    Fold,
    Role,
    Window,
)
from callcore.domain.directory import Directory, FieldWorker, Skill
from callcore.ports import EventStore, Positioned, Recorded, StreamConflict
from callcore.projections.follow_ups import FollowUps
from callcore.service_layer.messagebus import Outcome

S = TypeVar("S")

DEFAULT_START = date(2026, 11, 2)  # a Monday


@frozen(kw_only=True)
class Settings:
    """What to simulate. Every figure is a mean; the seed draws the rest."""

    seed: int = 1
    days: int = 1
    agents: int = 10
    start: date = DEFAULT_START
    calls_per_agent: float = 48.0
    """Inbound calls a weekday brings per seat (weekends: 60 %)."""
    registered_customers_per_agent: int = 30
    run_processes: bool = True
    sla_changes: bool = False
    """Also what SLA figures must survive (issue 16): the policy changes twice a day
    (targets and warning shares), some resolved inquiries are closed and reopened with a
    new callback promise, some deliveries are cancelled after their window. Off by
    default, so a seed draws the same centre as before; drawn from a random stream of
    its own."""

    def __attrs_post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(f"days must be at least 1, got {self.days}")
        if self.agents < 1:
            raise ValueError(f"agents must be at least 1, got {self.agents}")


@attrs.define
class Report:
    """What the simulation did."""

    commands: int = 0
    events: int = 0
    calls: int = 0
    answered: int = 0
    abandoned: int = 0
    voicemails: int = 0
    contacts: Counter[str] = attrs.field(factory=Counter)
    refused: Counter[str] = attrs.field(factory=Counter)


# How the calls of a day spread over its hours (06:00 … 21:00): a morning and an
# afternoon peak, quiet at lunch and in the evening.
HOURLY_SHARE = (2, 5, 9, 11, 11, 9, 6, 7, 9, 9, 8, 6, 4, 3, 2, 1)
WEEKEND_SHARE = 0.6
NIGHT_SHARE = 0.012  # of the day's calls, between 22:00 and 06:00: voicemail

# What an answered call is about (the manuals' mix).
CONTACT_MIX = (
    ("order", 34),
    ("inquiry", 27),
    ("service-visit", 10),
    ("new-account", 8),
    ("complaint", 5),
    ("consumables", 3),
    ("contact-change", 2),
    ("emergency", 1),
    ("delivery-chase", 10),
)

SURNAMES = [
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Xu",
    "Sun",
    "Ma",
    "Zhu",
    "Hu",
    "Guo",
    "He",
    "Gao",
    "Lin",
    "Luo",
    "Zheng",
    "Liang",
    "Xie",
    "Song",
    "Tang",
    "Han",
    "Feng",
    "Deng",
    "Cao",
    "Peng",
    "Zeng",
    "Xiao",
    "Tian",
    "Dong",
    "Pan",
    "Yuan",
    "Cai",
]
GIVEN_NAMES = [
    "Wei",
    "Fang",
    "Na",
    "Min",
    "Jing",
    "Li",
    "Qiang",
    "Lei",
    "Jun",
    "Yang",
    "Yong",
    "Yan",
    "Jie",
    "Tao",
    "Ming",
    "Chao",
    "Xiuying",
    "Xia",
    "Ping",
    "Gang",
    "Hua",
    "Hui",
    "Bo",
    "Yu",
    "Hong",
    "Lin",
    "Dan",
    "Kai",
    "Rui",
    "Xin",
    "Hao",
    "Yi",
    "Ting",
    "Jian",
    "Bin",
    "Shu",
]
STREETS = {
    "DONGMEN": ("Dongmen Road", "Gulou Lane", "Tianshui Street"),
    "HUAYUAN": ("Huayuan Estate", "Peony Road", "Jiuquan Lane"),
    "XIHU": ("Xihu Avenue", "Willow Road", "Anning Street"),
    "QILIHE": ("Qilihe Lane", "Dunhuang Road", "Jianlan Street"),
    "BEIZHAN": ("Beizhan Street", "Railway Road", "Yantan Lane"),
    "GANGKOU": ("Gangkou Road", "Harbour Lane", "Binhe Street"),
}
INQUIRIES = (
    ("How often should a regulator be replaced?", "Every 5 years; check it yearly.", "KB-017"),
    ("What is the price of a 15 kg cylinder?", "The registered price is on the list.", "KB-002"),
    ("Where is the nearest branch?", "The branch of your area; address given.", "KB-005"),
    ("How do I check a hose for leaks?", "Soapy water on the joints, never a flame.", "KB-021"),
    ("Can I pay by card on delivery?", "Yes, at every branch and on delivery.", "KB-009"),
)
BILL_QUESTIONS = ("Bill shows two deliveries", "Deposit not refunded", "Invoice needed")
FAULTS = ("Boiler will not light", "Stove flame is yellow", "Regulator hisses", "Meter stopped")
COMPLAINTS = (
    ("field-worker", "Delivery man was rude", "An apology"),
    ("field-worker", "Cylinder left at the door", "Carry it in next time"),
    ("branch", "Delivery came two hours late", "Keep the window"),
    ("agent", "The agent hung up on me", "An apology"),
    ("other", "Price rose without notice", "An explanation"),
)
SUGGESTIONS = ("Deliver on Sundays too", "Send an SMS before arriving", "Longer opening hours")
PROBLEMS = ("Regulator still hisses", "Bill is wrong", "Cylinder seal damaged")

PBX = Actor(Role.INTEGRATION, "asterisk")
VOICEMAIL = Actor(Role.SYSTEM, "voicemail")
SUPERVISOR = Actor(Role.SUPERVISOR, "S01")


def simulated_directory(agents: int, base: Directory | None = None) -> Directory:
    """The demo city with enough field workers for the work ``agents`` seats bring in:
    more delivery workers and technicians in every branch as the seats grow."""
    base = base or demo_directory()
    workers = dict(base.field_workers)
    # a seat takes about 16 orders and 5 service visits a weekday; a delivery worker
    # delivers 12 a day, a technician visits 6; the demo city has two of each per branch
    extra_delivery = max(0, math.ceil(agents * 0.6) - 2)
    extra_technicians = max(0, math.ceil(agents * 0.3) - 1)
    number = len(workers)
    for branch in sorted(base.branches):
        zones = tuple(sorted(a.code for a in base.areas.values() if a.branch == branch))
        for kind, count, skills, capacity in (
            ("delivery", extra_delivery, (Skill.DELIVERY, Skill.INSPECTION), 12),
            (
                "technician",
                extra_technicians,
                (Skill.REPAIR_SIMPLE, Skill.REPAIR_COMPLEX, Skill.INSTALL),
                6,
            ),
        ):
            for _ in range(count):
                number += 1
                worker_id = f"W{number:03d}"
                workers[worker_id] = FieldWorker(
                    id=worker_id,
                    name=f"{kind.title()} {number}",
                    phone=f"+861393100{number:04d}",
                    branch=branch,
                    zones=zones,
                    skills=frozenset(skills),
                    daily_capacity=capacity,
                )
    return attrs.evolve(base, field_workers=workers)


@frozen
class Step:
    """Do ``command`` (or call ``action``) at ``at``; the story gets the outcome back
    (``None`` when the rules refused it)."""

    at: datetime
    command: Command | None = None
    action: Callable[[], Any] | None = None


Story = Generator[Step, Outcome | None, None]


class _Process(Protocol):
    position: int
    """How far into the global order the process has read."""

    def run_once(self) -> object: ...


@attrs.define
class _Customer:
    number: str
    name: str
    phone: str
    address: str
    area: str
    merchant: bool = False
    device: str | None = None


class Simulation:
    """A seeded centre: ``Simulation(center, clock, settings).run()``."""

    def __init__(
        self,
        center: CallCenter,
        clock: ManualClock,
        settings: Settings,
        progress: Callable[[datetime], None] | None = None,
    ) -> None:
        self.center = center
        self.clock = clock
        self.settings = settings
        self.progress = progress
        self.random = random.Random(settings.seed)
        self.variety = (
            random.Random(f"sla-changes-{settings.seed}") if settings.sla_changes else None
        )
        self.directory = center.directory
        self.calendar = BusinessCalendar(self.directory.calendar)
        self.tz = zone(self.directory.calendar.timezone)
        self.report = Report()
        self.customers: list[_Customer] = []
        self.follow_ups = FollowUps(self.directory)
        self._queue: list[tuple[datetime, int, Story, Step]] = []
        self._sequence = itertools.count()
        self._ids: Counter[str] = Counter()
        self._agent_free: dict[str, datetime] = {}
        self._followed: set[str] = set()
        self.notifier = _Discarding()
        self.processes: list[_Process] = (
            [
                center.notification_process(self.notifier),
                center.follow_up_retry_process(self.notifier),
                center.voicemail_process(self.notifier),
            ]
            if settings.run_processes
            else []
        )
        # Field work: delivery and technician agents act for these.
        self.areas = sorted(self.directory.areas)

    # ------------------------------------------------------------------ engine

    def run(self) -> Report:
        self._schedule(self._open_customers())
        for n in range(self.settings.days):
            self._schedule(self._day(self.settings.start + timedelta(days=n)))
        end = datetime.combine(self.settings.start, time(0), self.tz) + timedelta(
            days=self.settings.days
        )
        while self._queue:
            at, _, story, step = heapq.heappop(self._queue)
            if at >= end:
                continue  # the simulated days are over: this story ends here
            if at > self.clock.now():
                self.clock.set(at)
                if self.progress is not None:
                    self.progress(at)
            outcome = self._do(step)
            self._advance(story, outcome)
            if not self.processes and self.report.commands % 1024 == 0:
                self._release()
        self.report.events = self.center.store.last_position()
        return self.report

    def _schedule(self, story: Story) -> None:
        self._advance(story, None, first=True)

    def _advance(self, story: Story, outcome: Outcome | None, first: bool = False) -> None:
        try:
            step = next(story) if first else story.send(outcome)
        except StopIteration:
            return
        heapq.heappush(self._queue, (step.at, next(self._sequence), story, step))

    def _do(self, step: Step) -> Outcome | None:
        if step.action is not None:
            step.action()
            return None
        assert step.command is not None
        self.report.commands += 1
        try:
            outcome = self.center.handle(step.command)
        except DomainError as error:
            self.report.refused[f"{type(step.command).__name__}: {error.rule.name}"] += 1
            return None
        for record in outcome.recorded:
            self.follow_ups.apply(record)
        return outcome

    # ------------------------------------------------------------------ helpers

    def _id(self, prefix: str) -> str:
        self._ids[prefix] += 1
        return f"{prefix}-{self._ids[prefix]:06d}"

    def _local(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), self.tz)

    def _seconds(self, mean: float, low: float = 1.0) -> timedelta:
        """A duration around ``mean`` seconds (log-normal, whole seconds)."""
        value = self.random.lognormvariate(math.log(mean), 0.45)
        return timedelta(seconds=max(low, round(value)))

    def _person(self) -> tuple[str, str]:
        name = f"{self.random.choice(SURNAMES)} {self.random.choice(GIVEN_NAMES)}"
        phone = f"+86{self.random.choice((135, 136, 137, 138, 139, 150, 186))}" + "".join(
            str(self.random.randrange(10)) for _ in range(8)
        )
        return name, phone

    def _address(self, area: str) -> str:
        return (
            f"{self.random.randint(1, 240)} {self.random.choice(STREETS.get(area, ('Main Road',)))}"
        )

    def _agents_on_shift(self, at: datetime) -> list[str]:
        agents = [f"A{n:02d}" for n in range(1, self.settings.agents + 1)]
        if len(agents) == 1:
            return agents
        # the early shift takes the morning peak: three fifths of the seats
        split = min(len(agents) - 1, max(1, round(len(agents) * 0.6)))
        early, late = agents[:split], agents[split:]
        return early if at.astimezone(self.tz).hour < 14 else late

    # ------------------------------------------------------------------ stories

    def _open_customers(self) -> Story:
        """The accounts that exist when the simulation starts, opened the evening before."""
        count = self.settings.registered_customers_per_agent * self.settings.agents
        at = self._local(self.settings.start - timedelta(days=1), 18)
        for n in range(count):
            at += timedelta(seconds=7)
            command = self._open_account(Actor(Role.AGENT, "A01"), n % 10 == 0)
            self._remember_customer(command, (yield Step(at, command)))

    def _open_account(self, agent: Actor, merchant: bool) -> customer.OpenAccount:
        area = self.random.choice(self.areas)
        name, phone = self._person()
        devices: dict[str, str] = {}
        if merchant:
            trade = self.random.choice(("Shop", "Noodles", "Market"))
            name = f"{self.random.choice(SURNAMES)}'s {trade}"
            devices = {f"POS-{self._ids['POS'] + 1000}": "PAX S90"}
            self._ids["POS"] += 1
        return customer.OpenAccount(
            name=name,
            phone=phone,
            address=self._address(area),
            area=area,
            customer_type=customer.CustomerType.MERCHANT
            if merchant
            else customer.CustomerType.HOUSEHOLD,
            devices=devices,
            actor=agent,
        )

    def _remember_customer(self, command: customer.OpenAccount, outcome: Outcome | None) -> None:
        if outcome is None:
            return
        opened = outcome.first(customer.AccountOpened)
        devices = sorted(command.devices)
        self.customers.append(
            _Customer(
                opened.customer_number,
                opened.name,
                opened.phone,
                opened.address,
                opened.area,
                merchant=bool(devices),
                device=devices[0] if devices else None,
            )
        )

    def _day(self, day: date) -> Story:
        """Schedules the day's calls, then its routine work, as separate stories."""
        weekend = not self.calendar.is_business_day(day)
        volume = self.settings.calls_per_agent * self.settings.agents
        volume *= WEEKEND_SHARE if weekend else 1.0
        yield Step(self._local(day, 5, 59), action=lambda: None)
        arrivals: list[datetime] = []
        total = sum(HOURLY_SHARE)
        for offset, share in enumerate(HOURLY_SHARE):
            hour = 6 + offset
            mean = volume * share / total
            count = max(0, round(self.random.gauss(mean, math.sqrt(mean) if mean else 0)))
            arrivals += [
                self._local(day, hour) + timedelta(seconds=self.random.randrange(3600))
                for _ in range(count)
            ]
        night = max(0, round(self.random.gauss(volume * NIGHT_SHARE, 1)))
        for _ in range(night):
            start = self._local(day, 22)
            arrivals.append(start + timedelta(seconds=self.random.randrange(8 * 3600)))
        for n, at in enumerate(sorted(arrivals), start=1):
            self._schedule(self._inbound_call(day, n, at))
        if self.processes:
            self._schedule(self._processes(day))
        self._schedule(self._follow_up_round(day))
        if self.variety is not None:
            self._schedule(self._policy_changes(day))

    def _adopt(self, directory: Directory) -> None:
        self.center.use_directory(directory)

    def _policy_changes(self, day: date) -> Story:
        """A supervisor tries a stricter policy at noon and goes back to a looser one at
        18:00: clocks started in between keep what they started under."""
        assert self.variety is not None
        for hour, label in ((12, "noon"), (18, "evening")):
            base = self.directory.sla
            shares = self.variety.choice([(0.75, 0.9), (0.5, 0.8), (0.6,), (0.9, 0.95)])
            targets = dict(base.targets)
            for clock in ("inquiry-transfer", "inquiry-customer-reply", "repair-arrival"):
                seconds = targets[clock].seconds
                targets[clock] = attrs.evolve(
                    targets[clock], seconds=round(seconds * self.variety.choice([0.5, 1, 1.5]))
                )
            sla = attrs.evolve(
                base,
                version=f"sim-{day.isoformat()}-{label}",
                targets=targets,
                warning_shares=shares,
                short_abandon_seconds=self.variety.choice([3, 5, 8]),
            )
            directory = attrs.evolve(self.center.directory, sla=sla)
            yield Step(self._local(day, hour), action=functools.partial(self._adopt, directory))

    def _processes(self, day: date) -> Story:
        at = self._local(day, 6)
        end = at + timedelta(days=1)
        while at < end:
            yield Step(at, action=self._run_processes)
            at += timedelta(minutes=15)

    def _run_processes(self) -> None:
        for process in self.processes:
            process.run_once()
        self._release()

    def _release(self) -> None:
        """A streaming store forgets the records every process has read: the processes
        are the simulation's only readers of the global order."""
        store = self.center.store
        if isinstance(store, SimulatedStore) and store.streaming:
            read = min((p.position for p in self.processes), default=store.last_position())
            store.release(read)

    # ------------------------------------------------------------------ a call

    def _inbound_call(self, day: date, n: int, arrived: datetime) -> Story:
        self.report.calls += 1
        call_id = f"{int(arrived.timestamp())}.{n}"
        local = arrived.astimezone(self.tz)
        after_hours = not self.calendar.is_open(arrived)
        caller = (
            self.random.choice(self.customers)
            if self.customers and self.random.random() < 0.75
            else None
        )
        phone = caller.phone if caller else self._person()[1]
        offered = yield Step(
            arrived, call.OfferCall(call_id=call_id, queue="hotline", caller_phone=phone, actor=PBX)
        )
        if offered is None:
            return
        if after_hours:
            self.report.voicemails += 1
            yield Step(
                arrived + timedelta(seconds=40), call.SendToVoicemail(call_id=call_id, actor=PBX)
            )
            yield from self._voicemail_callback(call_id, local.date(), phone)
            return
        agents = self._agents_on_shift(arrived)
        agent = min(agents, key=lambda a: (self._agent_free.get(a, arrived), a))
        free_at = max(arrived, self._agent_free.get(agent, arrived))
        ring = self._seconds(7, low=2)
        answered_at = free_at + ring
        patience = timedelta(seconds=round(self.random.expovariate(1 / 120)))
        if answered_at - arrived > patience:
            self.report.abandoned += 1
            yield Step(
                arrived + patience,
                call.AbandonCall(call_id=call_id, position=1 + n % 4, actor=PBX),
            )
            return
        if self.random.random() < 0.04:
            # the first agent rung does not pick up; the queue rings the next one
            other = self.random.choice(agents)
            yield Step(free_at, call.RingAgent(call_id=call_id, agent=other, actor=PBX))
            yield Step(
                free_at + timedelta(seconds=15),
                call.RecordRingNoAnswer(call_id=call_id, agent=other, ring_seconds=15, actor=PBX),
            )
            free_at += timedelta(seconds=15)
            answered_at = free_at + ring
        talk = self._seconds(240, low=30)
        self._agent_free[agent] = answered_at + talk + self._seconds(45)
        yield Step(free_at, call.RingAgent(call_id=call_id, agent=agent, actor=PBX))
        answered = yield Step(answered_at, call.AnswerCall(call_id=call_id, agent=agent, actor=PBX))
        if answered is None:
            return
        self.report.answered += 1
        contact = self._pick(CONTACT_MIX)
        self.report.contacts[contact] += 1
        actor = Actor(Role.AGENT, agent)
        record = yield from self._contact(contact, call_id, actor, caller, phone, answered_at)
        if record is not None:
            kind, record_id = record
            yield Step(
                answered_at + talk - timedelta(seconds=5),
                call.LinkCall(call_id=call_id, record_kind=kind, record_id=record_id, actor=actor),
            )
        yield Step(
            answered_at + talk,
            call.CompleteCall(
                call_id=call_id,
                ended_by=call.EndedBy.CALLER if self.random.random() < 0.7 else call.EndedBy.AGENT,
                actor=PBX,
            ),
        )

    def _pick(self, mix: tuple[tuple[str, int], ...]) -> str:
        names = [name for name, _ in mix]
        weights = [weight for _, weight in mix]
        return self.random.choices(names, weights)[0]

    def _contact(
        self,
        contact: str,
        call_id: str,
        agent: Actor,
        caller: _Customer | None,
        phone: str,
        at: datetime,
    ) -> Generator[Step, Outcome | None, tuple[call.RecordKind, str] | None]:
        """What the agent records during the call; returns the record to link the call to.
        Work that goes on after the call (field work, a department's reply) is scheduled
        as stories of its own, which run alongside the rest of the call."""
        during = at + timedelta(seconds=40)
        if contact == "new-account":
            command = self._open_account(agent, self.random.random() < 0.1)
            self._remember_customer(command, (yield Step(during, command)))
            return None
        if contact == "contact-change" and caller is not None:
            area = self.random.choice(self.areas)
            address = self._address(area)
            outcome = yield Step(
                during,
                customer.ChangeContactDetails(
                    customer_number=caller.number, address=address, area=area, actor=agent
                ),
            )
            if outcome is not None:
                caller.address, caller.area = address, area
            return None
        if contact == "order":
            return (yield from self._order(agent, caller, phone, during))
        if contact == "service-visit":
            return (yield from self._service_visit(agent, caller, phone, during))
        if contact == "complaint":
            return (yield from self._complaint(call_id, agent, caller, phone, during))
        if contact == "emergency":
            return (yield from self._emergency(call_id, agent, phone, during))
        if contact == "consumables":
            merchants = [c for c in self.customers if c.merchant and c.device]
            if merchants:
                return (yield from self._consumables(agent, self.random.choice(merchants), during))
        return (yield from self._inquiry(agent, caller, phone, during))

    # ------------------------------------------------------------------ orders

    def _window(self, now: datetime) -> Window:
        """The next two-hour delivery window a branch can keep: today if it is early
        enough, else tomorrow morning or afternoon."""
        local = now.astimezone(self.tz)
        start_hour = local.hour + 2
        day = local.date()
        if start_hour > 18:
            day += timedelta(days=1)
            start_hour = self.random.choice((9, 10, 14, 15))
        start = self._local(day, start_hour)
        return Window(start, start + timedelta(hours=2))

    def _order(
        self,
        agent: Actor,
        caller: _Customer | None,
        phone: str,
        at: datetime,
    ) -> Generator[Step, Outcome | None, tuple[call.RecordKind, str] | None]:
        order_id = self._id("O")
        product = self.random.choices(("LPG-15", "LPG-5", "LPG-50", "HOSE"), (70, 15, 10, 5))[0]
        lines = (order.OrderLineRequest(product, self.random.choices((1, 2, 3), (75, 20, 5))[0]),)
        window = self._window(at)
        if caller is not None and not caller.merchant:
            command = order.PlaceOrder(
                order_id=order_id,
                registered=True,
                customer_number=caller.number,
                name=caller.name,
                lines=lines,
                delivery_window=window,
                actor=agent,
            )
        else:
            name, _ = self._person()
            area = self.random.choice(self.areas)
            command = order.PlaceOrder(
                order_id=order_id,
                registered=False,
                name=name,
                phone=phone,
                address=self._address(area),
                area=area,
                lines=lines,
                delivery_window=window,
                actor=agent,
            )
        placed = yield Step(at, command)
        if placed is None:
            return None
        dispatch_id = placed.first(order.OrderPlaced).dispatch_id
        if dispatch_id:
            self._schedule(self._delivery(order_id, dispatch_id, agent, window))
        return (call.RecordKind.ORDER, order_id)

    def _delivery(self, order_id: str, dispatch_id: str, agent: Actor, window: Window) -> Story:
        branch = Actor(Role.AGENT, agent.id)
        assign_at = self.clock.now() + self._seconds(900, low=60)
        if self.random.random() < 0.03:
            yield Step(
                assign_at,
                order.CancelOrder(
                    order_id=order_id, reason="the customer changed plans", actor=branch
                ),
            )
            return
        assigned = yield Step(
            assign_at, dispatch.AssignDispatch(dispatch_id=dispatch_id, actor=branch)
        )
        if assigned is None or self.random.random() < 0.04:
            # no worker free in the window: the branch agrees a new one, next day
            window = Window(window.start + timedelta(days=1), window.end + timedelta(days=1))
            moved = yield Step(
                max(assign_at, self.clock.now()) + timedelta(minutes=5),
                order.RescheduleDelivery(
                    order_id=order_id,
                    window=window,
                    reason="no delivery worker free in the window",
                    actor=branch,
                ),
            )
            if moved is None:
                return
            assigned = yield Step(
                window.start - timedelta(hours=3),
                dispatch.AssignDispatch(dispatch_id=dispatch_id, actor=branch),
            )
            if assigned is None:
                yield Step(
                    window.start - timedelta(hours=2, minutes=55),
                    order.CancelOrder(
                        order_id=order_id, reason="no delivery capacity", actor=branch
                    ),
                )
                return
        worker = self.center.dispatches.get(dispatch_id).worker_id
        if worker is None:
            return
        if self.variety is not None and self.variety.random() < 0.05:
            # the customer was never home: cancelled after the window (still breached)
            yield Step(
                window.end + timedelta(minutes=self.variety.randint(5, 120)),
                order.CancelOrder(order_id=order_id, reason="nobody home", actor=branch),
            )
            return
        field_worker = Actor(Role.FIELD_WORKER, worker)
        en_route = window.start - timedelta(minutes=self.random.randint(10, 40))
        yield Step(
            en_route,
            dispatch.RecordFieldFeedback(
                dispatch_id=dispatch_id, feedback=dispatch.Feedback.EN_ROUTE, actor=field_worker
            ),
        )
        # most deliveries land in the window; one in eight is late
        minutes = self.random.uniform(0, 150 if self.random.random() < 0.125 else 115)
        done_at = window.start + timedelta(minutes=round(minutes))
        done = yield Step(
            done_at,
            dispatch.RecordFieldFeedback(
                dispatch_id=dispatch_id,
                feedback=dispatch.Feedback.DONE,
                outcome="delivered",
                via=self.random.choice((Channel.SMS, Channel.APP)),
                actor=field_worker,
            ),
        )
        if done is None:
            return
        yield Step(
            done_at + self._seconds(1800, low=60),
            order.CloseOrder(order_id=order_id, actor=Actor(Role.SYSTEM, "orders")),
        )

    # ------------------------------------------------------------------ tickets

    def _inquiry(
        self,
        agent: Actor,
        caller: _Customer | None,
        phone: str,
        at: datetime,
    ) -> Generator[Step, Outcome | None, tuple[call.RecordKind, str] | None]:
        ticket_id = self._id("T")
        question, answer, article = self.random.choice(INQUIRIES)
        simple = self.random.random() < 0.8
        opened = yield Step(
            at,
            ticket.OpenTicket(
                ticket_id=ticket_id,
                category=ticket.Category.INQUIRY,
                caller=Contact(caller.name if caller else self._person()[0], phone),
                customer_number=caller.number if caller and not caller.merchant else None,
                description=question if simple else self.random.choice(BILL_QUESTIONS),
                actor=agent,
            ),
        )
        if opened is None:
            return None
        if simple:
            yield Step(
                at + timedelta(seconds=60),
                ticket.AnswerOnTheSpot(
                    ticket_id=ticket_id, answer=answer, knowledge_article=article, actor=agent
                ),
            )
        else:
            reply_due = at + timedelta(hours=self.random.choice((1, 2, 4)))
            yield Step(
                at + timedelta(seconds=60),
                ticket.PromiseCallback(
                    ticket_id=ticket_id, phone=phone, reply_due=reply_due, actor=agent
                ),
            )
            yield Step(
                at + timedelta(seconds=90),
                ticket.TransferTicket(
                    ticket_id=ticket_id,
                    department="BUSINESS",
                    note="Please check the account",
                    actor=agent,
                ),
            )
            self._schedule(self._department_reply(ticket_id, agent, reply_due))
        return (call.RecordKind.TICKET, ticket_id)

    def _department_reply(self, ticket_id: str, agent: Actor, reply_due: datetime) -> Story:
        allowed = (reply_due - self.clock.now()).total_seconds()
        # most replies come in time; one in six is late
        share = self.random.uniform(0.2, 0.9) if self.random.random() > 1 / 6 else 1.3
        replied = self.clock.now() + timedelta(seconds=round(allowed * share))
        yield Step(
            replied,
            ticket.RecordDepartmentReply(
                ticket_id=ticket_id, reply="Checked: corrected on the account", actor=agent
            ),
        )
        yield Step(
            replied + self._seconds(600, low=60),
            ticket.ReplyToCustomer(ticket_id=ticket_id, reply="Told the caller", actor=agent),
        )
        yield Step(
            self.clock.now() + timedelta(minutes=2),
            ticket.ResolveTicket(
                ticket_id=ticket_id,
                cause="Billing entry",
                solution="Corrected on the account",
                actor=agent,
            ),
        )
        if self.variety is not None and self.variety.random() < 0.25:
            # closed, then the customer calls again: reopened with a new promise
            yield Step(
                self.clock.now() + timedelta(minutes=5),
                ticket.CloseTicket(ticket_id=ticket_id, actor=agent),
            )
            yield Step(
                self.clock.now() + timedelta(minutes=self.variety.randint(20, 240)),
                ticket.ReopenTicket(ticket_id=ticket_id, reason="still wrong", actor=agent),
            )
            yield Step(
                self.clock.now() + timedelta(minutes=1),
                ticket.PromiseCallback(
                    ticket_id=ticket_id,
                    phone="13800001111",
                    reply_due=self.clock.now() + timedelta(hours=self.variety.choice([1, 4, 30])),
                    actor=agent,
                ),
            )
            yield Step(
                self.clock.now() + timedelta(minutes=self.variety.randint(10, 90)),
                ticket.TransferTicket(
                    ticket_id=ticket_id, department="BUSINESS", note="again", actor=agent
                ),
            )

    def _service_visit(
        self,
        agent: Actor,
        caller: _Customer | None,
        phone: str,
        at: datetime,
    ) -> Generator[Step, Outcome | None, tuple[call.RecordKind, str] | None]:
        ticket_id = self._id("T")
        registered = caller is not None and not caller.merchant
        area = caller.area if caller is not None and registered else self.random.choice(self.areas)
        address = caller.address if caller is not None and registered else self._address(area)
        opened = yield Step(
            at,
            ticket.OpenTicket(
                ticket_id=ticket_id,
                category=ticket.Category.SERVICE_VISIT,
                caller=Contact(caller.name if caller else self._person()[0], phone),
                customer_number=caller.number if registered and caller else None,
                description=self.random.choice(FAULTS),
                location=None if registered else address,
                area=None if registered else area,
                actor=agent,
            ),
        )
        if opened is None:
            return None
        wished_start = at + timedelta(minutes=self.random.choice((30, 60, 90)))
        visit = yield Step(
            at + timedelta(seconds=90),
            ticket.RequestServiceVisit(
                ticket_id=ticket_id,
                complex=self.random.random() < 0.2,
                wished=Window(wished_start, wished_start + timedelta(hours=2)),
                fee_accepted=not registered,
                actor=agent,
            ),
        )
        if visit is not None:
            requested = visit.first(ticket.ServiceVisitRequested)
            self._schedule(self._field_visit(ticket_id, requested.dispatch_id, agent))
        return (call.RecordKind.TICKET, ticket_id)

    def _field_visit(self, ticket_id: str, dispatch_id: str, agent: Actor) -> Story:
        worker: str | None = None
        for attempt in range(3):
            # nobody free: the branch looks again half an hour later, twice
            yield Step(
                self.clock.now()
                + (self._seconds(600, low=60) if attempt == 0 else timedelta(minutes=30)),
                dispatch.AssignDispatch(dispatch_id=dispatch_id, actor=agent),
            )
            worker = self.center.dispatches.get(dispatch_id).worker_id
            if worker is not None:
                break
        if worker is None:
            return
        technician = Actor(Role.FIELD_WORKER, worker)
        yield Step(
            self.clock.now() + self._seconds(600, low=60),
            dispatch.RecordFieldFeedback(
                dispatch_id=dispatch_id, feedback=dispatch.Feedback.EN_ROUTE, actor=technician
            ),
        )
        # arrival mostly within 2 hours of the request; one in seven is later
        yield Step(
            self.clock.now() + self._seconds(3000 if self.random.random() > 1 / 7 else 8000),
            dispatch.RecordFieldFeedback(
                dispatch_id=dispatch_id, feedback=dispatch.Feedback.ARRIVED, actor=technician
            ),
        )
        done = yield Step(
            self.clock.now() + self._seconds(2400, low=300),
            dispatch.RecordFieldFeedback(
                dispatch_id=dispatch_id,
                feedback=dispatch.Feedback.DONE,
                outcome=self.random.choice(("Igniter replaced", "Regulator replaced", "Adjusted")),
                actor=technician,
            ),
        )
        if done is None:
            return
        yield Step(
            self.clock.now() + self._seconds(1200, low=60),
            ticket.ResolveTicket(
                ticket_id=ticket_id, cause="Worn part", solution="Repaired on site", actor=agent
            ),
        )

    def _emergency(
        self,
        call_id: str,
        agent: Actor,
        phone: str,
        at: datetime,
    ) -> Generator[Step, Outcome | None, tuple[call.RecordKind, str] | None]:
        ticket_id = self._id("T")
        area = self.random.choice(self.areas)
        reported = yield Step(
            at,
            ticket.ReportEmergency(
                ticket_id=ticket_id,
                reporter=Contact(self._person()[0], phone),
                location=self._address(area),
                description="Strong gas smell",
                call_id=call_id,
                actor=agent,
            ),
        )
        if reported is None:
            return None
        self._schedule(self._emergency_handled(ticket_id, agent))
        return (call.RecordKind.TICKET, ticket_id)

    def _emergency_handled(self, ticket_id: str, agent: Actor) -> Story:
        # the repair centre is told within 5 minutes, nearly always
        delay = self._seconds(150 if self.random.random() > 0.1 else 420, low=30)
        yield Step(
            self.clock.now() + delay,
            ticket.RecordRepairCentreNotified(ticket_id=ticket_id, actor=agent),
        )
        yield Step(
            self.clock.now() + self._seconds(5400, low=1200),
            ticket.ResolveTicket(
                ticket_id=ticket_id,
                cause="Loose hose clamp",
                solution="Clamp replaced by the repair centre",
                actor=agent,
            ),
        )

    def _consumables(
        self, agent: Actor, merchant: _Customer, at: datetime
    ) -> Generator[Step, Outcome | None, tuple[call.RecordKind, str] | None]:
        ticket_id = self._id("T")
        opened = yield Step(
            at,
            ticket.OpenTicket(
                ticket_id=ticket_id,
                category=ticket.Category.CONSUMABLES,
                caller=Contact(merchant.name, merchant.phone),
                customer_number=merchant.number,
                device_id=merchant.device,
                description="Thermal paper",
                actor=agent,
            ),
        )
        if opened is None:
            return None
        yield Step(
            at + timedelta(seconds=30),
            ticket.RequestConsumables(
                ticket_id=ticket_id, item="thermal-paper", quantity=1, actor=agent
            ),
        )
        return (call.RecordKind.TICKET, ticket_id)

    # ------------------------------------------------------------------ complaints

    def _complaint(
        self,
        call_id: str,
        agent: Actor,
        caller: _Customer | None,
        phone: str,
        at: datetime,
    ) -> Generator[Step, Outcome | None, tuple[call.RecordKind, str] | None]:
        complaint_id = self._id("K")
        kind, what, wanted = self.random.choice(COMPLAINTS)
        subject_id = {
            "field-worker": self.random.choice(sorted(self.directory.field_workers)),
            "branch": self.random.choice(sorted(self.directory.branches)),
            "agent": self.random.choice(self._agents_on_shift(at)),
            "other": None,
        }[kind]
        lodged = yield Step(
            at,
            complaint.LodgeComplaint(
                complaint_id=complaint_id,
                complainant=Contact(caller.name if caller else self._person()[0], phone),
                customer_number=caller.number if caller and not caller.merchant else None,
                about=complaint.Subject(complaint.SubjectKind(kind), subject_id),
                what=what,
                wanted_outcome=wanted,
                call_id=call_id,
                actor=agent,
            ),
        )
        if lodged is None:
            return None
        yield Step(
            at + timedelta(seconds=60),
            complaint.CommitReplyTime(
                complaint_id=complaint_id, reply_by=at + timedelta(hours=24), actor=agent
            ),
        )
        self._schedule(self._complaint_handled(complaint_id, agent))
        return (call.RecordKind.COMPLAINT, complaint_id)

    def _complaint_handled(self, complaint_id: str, agent: Actor) -> Story:
        valid = self.random.random() < 0.8
        judged = yield Step(
            self.clock.now() + self._seconds(90, low=20),
            complaint.JudgeComplaint(
                complaint_id=complaint_id,
                valid=valid,
                reason=None if valid else "the delivery was in its window",
                actor=agent,
            ),
        )
        if judged is None or not valid:
            return
        # the department is told within 10 minutes of the complaint, mostly
        yield Step(
            self.clock.now() + self._seconds(150 if self.random.random() > 0.12 else 900, low=30),
            complaint.NotifyDepartment(
                complaint_id=complaint_id, department="BUSINESS", actor=agent
            ),
        )
        notified = self.clock.now()
        # the customer hears within 20 minutes, the department is chased within 2 hours
        yield Step(
            notified + self._seconds(600 if self.random.random() > 0.1 else 1800, low=60),
            complaint.UpdateCustomer(
                complaint_id=complaint_id, note="The branch manager is looking into it", actor=agent
            ),
        )
        yield Step(
            notified + self._seconds(3600 if self.random.random() > 0.1 else 9000, low=600),
            complaint.FollowUpDepartment(
                complaint_id=complaint_id, note="The manager spoke to the staff", actor=agent
            ),
        )
        resolved = yield Step(
            self.clock.now() + self._seconds(10_800, low=600),
            complaint.RecordResolution(
                complaint_id=complaint_id,
                resolution="An apology visit and a free safety check",
                actor=agent,
            ),
        )
        if resolved is None:
            return
        accepted = self.random.random() < 0.9
        yield Step(
            self.clock.now() + self._seconds(3600, low=300),
            complaint.RecordCustomerResponse(
                complaint_id=complaint_id,
                accepted=accepted,
                escalate_to_supervisor=not accepted,
                actor=agent,
            ),
        )
        if not accepted:
            return
        yield Step(
            self.clock.now() + timedelta(minutes=2),
            complaint.CloseComplaint(complaint_id=complaint_id, actor=agent),
        )

    # ------------------------------------------------------------------ routine work

    def _voicemail_callback(self, call_id: str, day: date, phone: str) -> Story:
        """The morning team calls back last night's voicemails, most before 08:30."""
        opening = self.calendar.next_business_morning(
            self.clock.now(), self.directory.calendar.opens
        )
        callback = opening + timedelta(minutes=round(self.random.uniform(20, 160)))
        callback = max(callback, self.clock.now() + timedelta(minutes=1))
        if self.processes:
            # the voicemail process has turned the message into callback work by now
            yield Step(callback - timedelta(seconds=1), action=self._run_processes)
        yield Step(
            callback,
            ticket.ConfirmVoicemailCallback(
                ticket_id=f"VM-{call_id}",
                reached=self.random.random() < 0.8,
                note="Called back about the voicemail",
                actor=Actor(Role.AGENT, self._agents_on_shift(callback)[0]),
            ),
        )

    def _follow_up_round(self, day: date) -> Story:
        """At 15:00 on working days the late shift calls the follow-ups that would fall
        due before the next round (so Friday calls what falls due at the weekend)."""
        if not self.calendar.is_business_day(day):
            return
        at = self._local(day, 15)
        yield Step(at, action=lambda: None)
        next_round = datetime.combine(self.calendar.next_business_day(day), time(15), self.tz)
        due = [
            work
            for work in self.follow_ups.work(self.clock.now())
            if work.due_at <= next_round + timedelta(hours=1) and not work.paused
        ]
        agents = self._agents_on_shift(at)
        for n, work in enumerate(due):
            self._schedule(
                self._follow_up_call(
                    work.subject,
                    agents[n % len(agents)],
                    at + timedelta(seconds=90 * (n // len(agents))),
                )
            )

    def _follow_up_call(self, subject: str, agent_id: str, at: datetime) -> Story:
        call_id = self._id("F")
        agent = Actor(Role.AGENT, agent_id)
        kind, record_id = subject.split("-", 1)
        who = self._phone_of(kind, record_id)
        placed = yield Step(
            at,
            call.PlaceOutboundCall(
                call_id=call_id,
                agent=agent_id,
                phone=who,
                purpose=call.Purpose.FOLLOW_UP,
                subject=subject,
                actor=agent,
            ),
        )
        if placed is None:
            return
        if kind == "complaint":
            yield from self._satisfaction_call(call_id, record_id, agent, at)
            return
        if self.random.random() < 0.2:
            yield Step(
                at + timedelta(seconds=30), call.RecordNoAnswer(call_id=call_id, actor=agent)
            )
            yield Step(
                at + timedelta(seconds=35),
                call.RecordFollowUp(call_id=call_id, reached=False, actor=agent),
            )
            return
        if self.random.random() < 0.06:
            # only a child at home: say when we will call again (domain.md §7)
            yield Step(
                at + timedelta(seconds=10),
                call.AnswerCall(call_id=call_id, agent=agent_id, actor=agent),
            )
            yield Step(
                at + timedelta(seconds=50),
                call.RecordFollowUp(
                    call_id=call_id,
                    reached=False,
                    call_again_at=at + timedelta(hours=self.random.choice((2, 3, 4))),
                    actor=agent,
                ),
            )
            yield Step(at + timedelta(seconds=60), call.CompleteCall(call_id=call_id, actor=agent))
            return
        yield Step(
            at + timedelta(seconds=10),
            call.AnswerCall(call_id=call_id, agent=agent_id, actor=agent),
        )
        happy = self.random.random() < 0.85
        problem = () if happy or self.random.random() < 0.5 else (self.random.choice(PROBLEMS),)
        recorded = yield Step(
            at + timedelta(seconds=70),
            call.RecordFollowUp(
                call_id=call_id,
                reached=True,
                on_time=self.random.random() < (0.92 if happy else 0.5),
                attitude=self.random.choice((4, 5, 5)) if happy else self.random.choice((1, 2, 3)),
                safety_check_done=self.random.random() < 0.9,
                problems_raised=problem,
                suggestions=(self.random.choice(SUGGESTIONS),)
                if self.random.random() < 0.1
                else (),
                actor=agent,
            ),
        )
        yield Step(at + timedelta(seconds=80), call.CompleteCall(call_id=call_id, actor=agent))
        if recorded is not None and problem:
            yield Step(
                at + timedelta(seconds=120),
                call.RelayFollowUpProblem(call_id=call_id, department="BUSINESS", actor=agent),
            )
            yield Step(
                self.clock.now() + self._seconds(20_000, low=3600),
                call.ConfirmFollowUpResolution(call_id=call_id, actor=agent),
            )

    def _satisfaction_call(
        self, call_id: str, complaint_id: str, agent: Actor, at: datetime
    ) -> Story:
        """After an accepted resolution: did the customer think it was handled well?"""
        reached = self.random.random() < 0.85
        if reached:
            yield Step(
                at + timedelta(seconds=10),
                call.AnswerCall(call_id=call_id, agent=agent.id, actor=agent),
            )
        else:
            yield Step(
                at + timedelta(seconds=30), call.RecordNoAnswer(call_id=call_id, actor=agent)
            )
        yield Step(
            at + timedelta(seconds=60),
            complaint.RecordSatisfactionCall(
                complaint_id=complaint_id,
                reached=reached,
                rating=self.random.choice((2, 3, 4, 4, 5, 5)) if reached else None,
                on_time=self.random.random() < 0.8 if reached else None,
                actor=agent,
            ),
        )
        if reached:
            yield Step(at + timedelta(seconds=70), call.CompleteCall(call_id=call_id, actor=agent))

    def _phone_of(self, kind: str, record_id: str) -> str:
        """The number to call for a follow-up: the one on the record followed up."""
        contact: Contact | None = None
        if kind == "order":
            return self.center.orders.get(record_id).phone
        if kind == "complaint":
            contact = self.center.complaints.get(record_id).complainant
        elif kind == "dispatch":
            contact = self.center.dispatches.get(record_id).contact
        elif kind == "customer":
            return self.center.customers.get(record_id).phone
        return contact.phone if contact is not None else "+8613800000000"


NEWEST_KEPT = 4096
"""How many streams' newest records a streaming simulated store keeps decoded."""


class SimulatedStore:
    """The simulation's store: the records themselves, in memory, in global order.

    A simulated centre's events are only ever written out as a log (``callcore
    simulate``), so nothing is gained by decoding each one again on every read — which
    was a third of the time a simulation took (every process's catch-up decoded every
    event again). Each record is taken through the stored form once, when appended, so
    what a reader gets is exactly what any store gives back (an ``int`` given for a
    ``float`` field reads as a float, as it is written in the log). The deciders, the
    unit of work and the versions' optimistic checks are the same as on any store (it
    passes the event-store contract).

    Given a ``log``, the store *streams*: each record's log line is written to it as the
    record is appended, and the store keeps only what the simulation's own readers need
    (issue 21). The deciders read streams — each stream is kept in its stored form (the
    compact JSON of its events, decoded again only when a stream is read whole, which the
    unit of work's state cache makes rare) with its newest record decoded; the processes
    read the global order from their positions — the records they have all read are
    released (:meth:`release`), and reading before that position is refused. A month of 50 seats
    then holds its streams' bytes rather than a million decoded events."""

    def __init__(self, log: IO[bytes] | None = None) -> None:
        self._log = log
        self._records: list[Recorded] = []
        self._released = 0
        """Positions up to this one are in the log only (streaming)."""
        self._streams: dict[str, list[Recorded]] = {}
        self._stored: dict[str, list[tuple[str, bytes, datetime | None]]] = {}
        self._newest: dict[str, Recorded] = {}
        """The newest record of the streams appended to last (what a command checks
        its facts' order against), decoded; bounded, since most streams — a receipt per
        command — are never read again."""

    @property
    def streaming(self) -> bool:
        return self._log is not None

    def _version_of(self, stream: str) -> int:
        kept = self._stored if self._log is not None else self._streams
        return len(kept.get(stream, ()))

    def read_stream(self, stream: str, after_version: int = 0) -> Sequence[Recorded]:
        if self._log is None:
            found = self._streams.get(stream, ())
            # versions run from 1 with no gap: the records after a version start at its index
            return list(found[after_version:]) if after_version > 0 else list(found)
        stored = self._stored.get(stream)
        if stored is None or after_version >= len(stored):
            return []
        newest = self._newest.get(stream)
        last = len(stored) - 1
        return [
            newest
            if index == last and newest is not None
            else _decoded(stream, index + 1, *stored[index])
            for index in range(max(after_version, 0), len(stored))
        ]

    def append(self, records: Sequence[Recorded]) -> None:
        expected: dict[str, int] = {}
        for record in records:
            version = expected.get(record.stream, self._version_of(record.stream))
            if record.version != version + 1:
                raise StreamConflict(
                    f"{record.stream} is at version {version}: cannot append {record.version}"
                )
            expected[record.stream] = record.version
        log = self._log
        for record in records:
            raw, recorded_at, stored = _stored_form(record)
            self._records.append(stored)
            if log is None:
                self._streams.setdefault(stored.stream, []).append(stored)
                continue
            self._stored.setdefault(stored.stream, []).append(
                (stored.event.type_name(), raw, recorded_at)
            )
            newest = self._newest
            newest.pop(stored.stream, None)  # to the end: the most recently appended
            newest[stored.stream] = stored
            if len(newest) > NEWEST_KEPT:
                del newest[next(iter(newest))]
            log.write(event_line(stored) + b"\n")

    def release(self, position: int) -> None:
        """Forget the records up to ``position`` (every reader of the global order is
        past it); streaming only: they are in the log."""
        if self._log is None:
            return
        drop = min(position, self.last_position()) - self._released
        if drop > 0:
            del self._records[:drop]
            self._released += drop

    def read_all(self, after_position: int = 0, limit: int | None = None) -> Iterator[Positioned]:
        released = self._released
        if after_position < released:
            raise LookupError(
                f"the simulated store has streamed positions 1-{released} to its log and "
                f"kept no copy: cannot read after position {after_position}"
            )
        records = self._records
        end = (
            len(records) if limit is None else min(len(records), after_position - released + limit)
        )
        for index in range(after_position - released, end):
            yield Positioned(released + index + 1, records[index])

    def last_position(self) -> int:
        return self._released + len(self._records)

    url = "memory://"
    """A simulated centre has no store files of its own."""

    def load_state(self, fold: Fold[S], stream: str) -> tuple[int, S] | None:
        return None  # no snapshots: a simulated stream is folded from its records

    def wait_for_events(self, timeout: float) -> None:
        pass  # nothing else writes to a simulation

    def close(self) -> None:
        pass


def _stored_form(record: Recorded) -> tuple[bytes, datetime | None, Recorded]:
    """The record as a store gives it back — its event through the stored form — with
    that form (its JSON, and its recorded time where it is not the event's own)."""
    event = record.event
    # orjson's bytes keep the capacity of its output buffer (4 KB for a 300-byte event):
    # a copy is the size of the event, which is what a streaming store keeps
    raw = bytes(memoryview(orjson.dumps(event_to_dict(event))))
    again = event_from_dict(event.type_name(), orjson.loads(raw))
    if record.recorded_at == event.at:
        return raw, None, Recorded(record.stream, record.version, again)
    recorded_at = datetime.fromisoformat(record.recorded_at.isoformat())
    return raw, recorded_at, Recorded(record.stream, record.version, again, recorded_at)


def _decoded(
    stream: str, version: int, type_name: str, raw: bytes, recorded_at: datetime | None
) -> Recorded:
    event = event_from_dict(type_name, orjson.loads(raw))
    if recorded_at is None:
        return Recorded(stream, version, event)
    return Recorded(stream, version, event, recorded_at)


class _Discarding:
    """The simulated centre's notifier: what would be sent is recorded as NotificationSent
    by the processes; nobody is really told."""

    def send(self, notification: Any) -> None:
        pass


def simulate(
    settings: Settings,
    url: str = "memory://",
    progress: Callable[[datetime], None] | None = None,
    log: IO[bytes] | None = None,
) -> tuple[CallCenter, Report]:
    """Run a simulation into a new centre on ``url``; returns the centre and the report.

    With ``log`` (on ``memory://`` only), every record's event-log line is written to it
    as it is recorded, and the centre's store keeps only what the simulation reads (see
    :class:`SimulatedStore`): the log's header is the caller's to write, with the
    centre's clock at the end (``callcore simulate`` writes it before these lines)."""
    if log is not None and url != "memory://":
        raise ValueError(f"a simulation streams its log only on memory://, not on {url}")
    directory = simulated_directory(settings.agents)
    tz = zone(directory.calendar.timezone)
    start = datetime.combine(settings.start - timedelta(days=1), time(17), tz)
    clock = ManualClock(start)
    ids = (f"sim{settings.seed}-{n}" for n in itertools.count(1))
    if url == "memory://":
        store: EventStore = SimulatedStore(log)
    else:
        store = open_store(url)
    center = CallCenter(
        store, directory=directory, clock=clock, notifier=_Discarding(), command_ids=ids.__next__
    )
    report = Simulation(center, clock, settings, progress).run()
    return center, report
