"""The directory: a centre's reference data (domain.md §3).

Not event-sourced: a centre edits it rarely, as a TOML file (loaded by
``callcore.adapters.directory_file``). Commands read it when they are decided and
events keep the values decided with — an order keeps the price it was quoted — so
changing the directory never rewrites history.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from attrs import evolve, field, frozen

from callcore.domain.backdating import BackDating
from callcore.domain.common import DomainError, NotFound, Priority, Rule, money, positive
from callcore.domain.timezones import zone

UNKNOWN_AREA = Rule("unknown-area", "domain.md §3: every address belongs to one area")
UNKNOWN_BRANCH = Rule("unknown-branch", "domain.md §3: each area is served by one branch")
UNKNOWN_DEPARTMENT = Rule("unknown-department", "domain.md §3: departments of the directory")
UNKNOWN_PRODUCT = Rule("unknown-product", "domain.md §3: products with two price lists")
NO_PRICE = Rule("no-price-in-force", "domain.md §3: prices are effective-dated")
UNKNOWN_WORKER = Rule("unknown-field-worker", "domain.md §3: field workers of the roster")


class Skill(enum.StrEnum):
    DELIVERY = "delivery"
    INSTALL = "install"
    REPAIR_SIMPLE = "repair-simple"
    REPAIR_COMPLEX = "repair-complex"
    INSPECTION = "inspection"
    TRAINING = "training"


class DepartmentRole(enum.StrEnum):
    """What the processes need to find a department for."""

    BUSINESS_OFFICE = "business-office"
    TECHNICAL_SUPPORT = "technical-support"
    INFORMATION_CENTRE = "information-centre"
    EMERGENCY_REPAIR = "emergency-repair"
    LEADERSHIP = "leadership"
    BUSINESS_INTERFACE = "business-interface"
    OTHER = "other"


@frozen
class Branch:
    code: str
    name: str
    address: str
    phone: str


@frozen
class Area:
    """A part of the territory. ``latitude``/``longitude`` place its centre so that the
    assignment policy can prefer the field worker whose home zone is nearest."""

    code: str
    name: str
    branch: str
    latitude: float = 0.0
    longitude: float = 0.0


@frozen
class Department:
    code: str
    name: str
    role: DepartmentRole = DepartmentRole.OTHER
    owns: tuple[str, ...] = ()
    """Kinds of question (ticket categories, complaint subjects) the department owns."""
    phone: str = ""


@frozen
class FieldWorker:
    """A field worker (收瓶工 / 外勤 / 技术人员). The first zone is the home zone."""

    id: str
    name: str
    phone: str
    branch: str
    zones: tuple[str, ...]
    skills: frozenset[Skill]
    daily_capacity: int = field(validator=positive)

    @property
    def home_zone(self) -> str:
        return self.zones[0]


@frozen
class Product:
    code: str
    name: str
    unit: str = "each"


@frozen
class Price:
    """One row of the two price lists (开户价格 / 非开户价格), in force from a date."""

    product: str
    effective_from: date
    registered: Decimal = field(converter=money)
    walk_in: Decimal = field(converter=money)


@frozen
class ServiceFees:
    """Fees quoted to walk-in callers for on-site service (上门检查费)."""

    base_visit: Decimal = field(converter=money, default=Decimal("30.00"))
    complex_visit: Decimal = field(converter=money, default=Decimal("60.00"))


@frozen
class Shift:
    name: str
    start: time
    end: time


@frozen
class CalendarSettings:
    """The business calendar's settings. ``callcore.domain.calendar`` computes with it."""

    timezone: str = "Asia/Shanghai"
    opens: time = time(6, 0)
    closes: time = time(22, 0)
    shifts: tuple[Shift, ...] = (
        Shift("early", time(6, 0), time(14, 0)),
        Shift("late", time(14, 0), time(22, 0)),
    )
    holiday_country: str = "CN"
    holiday_subdivision: str | None = None
    working_weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    """ISO weekdays counted from 0 (Monday) on which business clocks run."""
    extra_holidays: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()
    """Days that are worked though they fall on a weekend (China's 调休 make-up days)."""
    voicemail_callback_by: time = time(8, 30)
    daily_summary_at: time = time(17, 30)


@frozen
class ClockTarget:
    """The target of one SLA clock: a duration, in wall or business time."""

    seconds: int = field()
    business: bool = False

    @seconds.validator
    def _not_negative(self, _: object, value: int) -> None:
        if isinstance(value, int) and value < 0:
            raise ValueError(f"an SLA target is a duration of 0 s or more, not {value} s")


def _at_least(least: int, what: str) -> Any:
    """An attrs validator: a whole number ``>= least`` (None passes: not given)."""

    def check(_: object, attribute: Any, value: int | None) -> None:
        if value is not None and isinstance(value, int) and value < least:
            raise ValueError(f"{attribute.name} must be {least} or more ({what}), not {value}")

    return check


def _answer_target(targets: Mapping[str, ClockTarget]) -> None:
    answer = targets.get("answer") if isinstance(targets, Mapping) else None
    if isinstance(answer, ClockTarget) and answer.seconds < 1:
        raise ValueError(
            f"targets.answer must be 1 s or more (the wait a call is answered within), "
            f"not {answer.seconds} s"
        )


def _warning_shares(_: object, attribute: Any, value: tuple[float, ...]) -> None:
    for share in value:
        if isinstance(share, int | float) and not 0 < share < 1:
            raise ValueError(
                f"warning_shares are shares of the target, each more than 0 and less than "
                f"1 (0.75 warns at three quarters), not {share}"
            )


@frozen
class SlaPolicy:
    """SLA targets (domain.md §6). ``version`` is recorded with every clock started
    under this policy; a what-if replay swaps the policy without touching history."""

    version: str = "default-1"
    ring_cycle_seconds: int = field(default=5, validator=_at_least(1, "seconds of one ring"))
    answer_rings: int | None = field(
        default=None, validator=_at_least(1, "rings before a call is answered late")
    )
    """The answer target in rings of the ring cycle. It and ``targets["answer"]`` are one
    setting (:attr:`answer_seconds`): give either; the policy file refuses both when they
    disagree. Neither: three rings."""
    targets: Mapping[str, ClockTarget] = field(
        factory=lambda: dict(DEFAULT_TARGETS), validator=lambda _, __, v: _answer_target(v)
    )
    by_priority: Mapping[str, Mapping[str, ClockTarget]] = field(factory=dict)
    """Overrides: ``by_priority[priority][clock id]``."""
    by_customer_level: Mapping[str, Mapping[str, ClockTarget]] = field(factory=dict)
    """Overrides: ``by_customer_level[level][clock id]`` (applied after priority)."""
    warning_shares: tuple[float, ...] = field(default=(0.75, 0.90), validator=_warning_shares)
    short_abandon_seconds: int = field(
        default=5, validator=_at_least(0, "seconds a caller may wait and hang up as a misdial")
    )
    service_level_counts_abandons: bool = True

    def target(
        self, clock: str, priority: Priority | None = None, customer_level: str | None = None
    ) -> ClockTarget:
        chosen = ClockTarget(self.answer_seconds) if clock == "answer" else self.targets.get(clock)
        if priority is not None:
            chosen = self.by_priority.get(priority.value, {}).get(clock, chosen)
        if customer_level is not None:
            chosen = self.by_customer_level.get(customer_level, {}).get(clock, chosen)
        if chosen is None:
            raise KeyError(f"no SLA target for clock {clock!r}")
        return chosen

    def same_rules(self, other: SlaPolicy) -> bool:
        """Whether two policies time every clock alike: the answer target given in rings
        or in seconds is one setting, so a policy written either way is the same policy
        (a store recorded before ``targets["answer"]`` was honoured adopts nothing new)."""
        return self._answer_as_seconds() == other._answer_as_seconds()

    def _answer_as_seconds(self) -> SlaPolicy:
        targets = {**self.targets, "answer": ClockTarget(self.answer_seconds)}
        return evolve(self, answer_rings=None, targets=targets)

    @property
    def answer_seconds(self) -> int:
        """The answer target: ``answer_rings`` × the ring cycle when the rings are given
        (so a policy recorded before issue 16, which always had both, means what it
        meant), else ``targets["answer"]``, else three rings."""
        if self.answer_rings is not None:
            return self.ring_cycle_seconds * self.answer_rings
        given = self.targets.get("answer")
        if given is not None:
            return given.seconds
        return self.ring_cycle_seconds * DEFAULT_ANSWER_RINGS


_H = 3600
_D = 24 * _H
DEFAULT_ANSWER_RINGS = 3
# the answer target is SlaPolicy.answer_seconds (three rings of the ring cycle unless the
# policy says otherwise), so it has no entry here
DEFAULT_TARGETS: Mapping[str, ClockTarget] = {
    "inquiry-transfer": ClockTarget(30 * 60),
    "inquiry-department-reply": ClockTarget(3 * _H),
    "inquiry-customer-reply": ClockTarget(24 * _H),
    # due at 08:30 of the next business day: computed by the calendar, not a duration
    "voicemail-callback": ClockTarget(0, business=True),
    "complaint-reply-committed": ClockTarget(30 * 60),
    "complaint-department-notified": ClockTarget(10 * 60),
    "complaint-customer-updated": ClockTarget(20 * 60),
    "complaint-department-follow-up": ClockTarget(2 * _H),
    "complaint-satisfaction-call": ClockTarget(24 * _H),
    "emergency-notification": ClockTarget(5 * 60),
    "repair-arrival": ClockTarget(2 * _H),
    "install-completion": ClockTarget(48 * _H),
    # due at the end of the promised delivery window: taken from the order
    "delivery": ClockTarget(0),
    "follow-up-relay": ClockTarget(1 * _H),
    "follow-up-resolution-check": ClockTarget(24 * _H),
    "post-purchase-follow-up-1": ClockTarget(3 * _D),
    "post-purchase-follow-up-2": ClockTarget(10 * _D),
    "post-purchase-follow-up-3": ClockTarget(30 * _D),
    "post-repair-follow-up": ClockTarget(3 * _D),
}


@frozen
class FollowUpSettings:
    """Follow-up calls (回访, domain.md §5)."""

    sample_share: float = 0.2
    """The share of each day's completed work sampled for a follow-up call."""
    sample_seed: str = "callcore"
    """The seed of the daily sample: the same log and seed always pick the same sample."""
    max_attempts: int = 3
    """Calls that do not reach the customer before the follow-up is given up."""
    retry_after_minutes: int = 120


@frozen
class TelephonySettings:
    """The phone system's sources (interfaces.md §6)."""

    source_timezone: str | None = None
    """The zone of a source's times written without an offset (a realtime queue_log
    table's naive datetimes); ``None``: the centre's own zone."""
    paused_too_long_minutes: int = 15
    """An agent paused longer than this is put on the wallboard."""


@frozen
class ConsumableQuota:
    """How much of a consumable a merchant may have (default: 1 thermal-paper roll a
    month, 12 a year)."""

    item: str
    per_month: int
    per_year: int


@frozen
class Directory:
    """Everything a centre configures. Pure queries below; see the module docstring."""

    centre: str
    phone_region: str = "CN"
    areas: Mapping[str, Area] = field(factory=dict)
    branches: Mapping[str, Branch] = field(factory=dict)
    departments: Mapping[str, Department] = field(factory=dict)
    field_workers: Mapping[str, FieldWorker] = field(factory=dict)
    products: Mapping[str, Product] = field(factory=dict)
    prices: tuple[Price, ...] = ()
    service_fees: ServiceFees = field(factory=ServiceFees)
    calendar: CalendarSettings = field(factory=CalendarSettings)
    sla: SlaPolicy = field(factory=SlaPolicy)
    follow_ups: FollowUpSettings = field(factory=FollowUpSettings)
    telephony: TelephonySettings = field(factory=TelephonySettings)
    quotas: Mapping[str, ConsumableQuota] = field(
        factory=lambda: {"thermal-paper": ConsumableQuota("thermal-paper", 1, 12)}
    )
    back_dating: BackDating = field(factory=BackDating)
    """How late a fact may be reported, by role and source (domain.md §6)."""

    @property
    def telephony_source_timezone(self) -> str | None:
        return self.telephony.source_timezone

    # -- look-ups that raise the rule they break ----------------------------------

    def area(self, code: str) -> Area:
        try:
            return self.areas[code]
        except KeyError:
            raise DomainError(UNKNOWN_AREA, f"no area {code!r} in the directory") from None

    def branch_for_area(self, area_code: str) -> Branch:
        """区域划分: each area is served by exactly one branch."""
        area = self.area(area_code)
        try:
            return self.branches[area.branch]
        except KeyError:
            raise DomainError(
                UNKNOWN_BRANCH, f"area {area_code!r} names branch {area.branch!r}, not found"
            ) from None

    def branch(self, code: str) -> Branch:
        try:
            return self.branches[code]
        except KeyError:
            raise DomainError(UNKNOWN_BRANCH, f"no branch {code!r} in the directory") from None

    def department(self, code: str) -> Department:
        try:
            return self.departments[code]
        except KeyError:
            raise DomainError(
                UNKNOWN_DEPARTMENT, f"no department {code!r} in the directory"
            ) from None

    def department_with_role(self, role: DepartmentRole) -> Department:
        for department in self.departments.values():
            if department.role is role:
                return department
        raise DomainError(UNKNOWN_DEPARTMENT, f"no department has the role {role.value!r}")

    def field_worker(self, worker_id: str) -> FieldWorker:
        try:
            return self.field_workers[worker_id]
        except KeyError:
            raise NotFound(UNKNOWN_WORKER, f"no field worker {worker_id!r} on the roster") from None

    def product(self, code: str) -> Product:
        try:
            return self.products[code]
        except KeyError:
            raise DomainError(UNKNOWN_PRODUCT, f"no product {code!r} in the directory") from None

    def price(self, product: str, on: date) -> Price:
        """The price row in force on a day: the latest one effective on or before it."""
        self.product(product)
        in_force = [p for p in self.prices if p.product == product and p.effective_from <= on]
        if not in_force:
            raise DomainError(NO_PRICE, f"product {product!r} has no price in force on {on}")
        return max(in_force, key=lambda p: p.effective_from)

    def unit_price(self, product: str, on: date, *, registered: bool) -> Decimal:
        row = self.price(product, on)
        return row.registered if registered else row.walk_in

    def distance_km(self, area_a: str, area_b: str) -> float:
        """Great-circle distance between two areas' centres (haversine)."""
        a, b = self.area(area_a), self.area(area_b)
        lat1, lon1, lat2, lon2 = map(
            math.radians, (a.latitude, a.longitude, b.latitude, b.longitude)
        )
        h = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        return 2 * 6371.0 * math.asin(math.sqrt(h))

    def local(self, instant: datetime) -> datetime:
        """An instant in the centre's time zone."""
        return instant.astimezone(zone(self.calendar.timezone))


def later(instant: datetime, seconds: int) -> datetime:
    return instant + timedelta(seconds=seconds)
