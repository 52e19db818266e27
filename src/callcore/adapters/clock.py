"""Clocks: the system clock, and a clock tests and replays move by hand."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until told to move (tests, simulations, replays)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock's time needs a UTC offset")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        with self._lock:
            self._now += delta if delta is not None else timedelta(**kwargs)
            return self._now

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("a clock's time needs a UTC offset")
        with self._lock:
            self._now = instant


class RunningClock:
    """A clock that starts at a given instant and runs, ``speed`` times as fast as real
    time: ``callcore serve --clock-from`` replays a recorded or simulated day live on
    the wallboard."""

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock's time needs a UTC offset")
        if speed <= 0:
            raise ValueError("a clock's speed must be positive")
        import time

        self._monotonic = time.monotonic
        self._start = start
        self._speed = speed
        self._began = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(self._monotonic() - self._began) * self._speed)
