"""Finding adapters by name: the built-in ones first, then installed packages.

Modelled on SQLAlchemy's dialect registry. An integrator's package registers a factory in
the ``callcore.adapters`` entry-point group, under ``<port>.<name>``::

    [project.entry-points."callcore.adapters"]
    "notifier.sms-gateway" = "callcore_sms_gateway:make_notifier"

and ``callcore worker --notify sms-gateway:https://sms.example.cn/send`` (or
:func:`notifier` in code) calls ``make_notifier("https://sms.example.cn/send")`` — the
text after the first colon, or ``""`` — and gets a :class:`~callcore.ports.Notifier`.
A built-in name cannot be taken over by a package, so ``log`` always means the log.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from callcore.adapters.notifiers import LogNotifier, WebhookNotifier
from callcore.ports import Notifier

GROUP = "callcore.adapters"


class UnknownAdapter(LookupError):
    """No built-in and no installed package offers an adapter of that name."""


def _webhook(argument: str) -> Notifier:
    if not argument:
        raise ValueError("give the webhook's URL: webhook:https://…")
    return WebhookNotifier(argument, os.environ.get("CALLCORE_WEBHOOK_SECRET", ""))


BUILT_IN: dict[str, dict[str, Callable[[str], Any]]] = {
    "notifier": {"log": lambda _: LogNotifier(), "webhook": _webhook},
}


def installed(port: str) -> dict[str, Callable[[], Any]]:
    """Loaders of the factories installed packages register for a port, by name."""
    found: dict[str, Callable[[], Any]] = {}
    for point in entry_points(group=GROUP):
        kind, _, name = point.name.partition(".")
        if kind == port and name:
            found[name] = point.load
    return found


def names(port: str) -> list[str]:
    """Every adapter name of a port: the built-in ones, then the installed ones."""
    built_in = list(BUILT_IN.get(port, {}))
    return built_in + sorted(set(installed(port)) - set(built_in))


def factory(port: str, name: str) -> Callable[[str], Any]:
    built_in = BUILT_IN.get(port, {})
    if name in built_in:
        return built_in[name]  # a package cannot take over a built-in name
    loader = installed(port).get(name)
    if loader is None:
        raise UnknownAdapter(
            f"no {port} called {name!r}; there are: {', '.join(names(port))} "
            f"(packages add theirs in the {GROUP!r} entry-point group)"
        )
    made: Callable[[str], Any] = loader()
    return made


def notifier(spec: str) -> Notifier:
    """A notifier from ``name`` or ``name:argument`` (``log``, ``webhook:https://…``, or
    an installed package's ``sms-gateway:…``)."""
    name, _, argument = spec.partition(":")
    made = factory("notifier", name)(argument)
    if not isinstance(made, Notifier):
        raise TypeError(f"the {name!r} notifier's factory returned {made!r}, not a Notifier")
    return made
