"""docs/commands.md, generated from the code: ``python -m callcore.command_reference``.

For every command the handler table knows, grouped by aggregate in domain.md §4's order:
its docstring; its fields with their resolved types (``typing.get_type_hints``), enums
with their values, defaults; the rules it can break and the events it records, found by
walking the code of its handler and of everything the handler calls in
``callcore.domain`` and ``callcore.service_layer`` (:class:`CodeWalk`: the ``Rule``
constants referenced and the ``Event`` classes constructed, transitively); who may send
it (``callcore.service_layer.authority``); and its example, the step of
``examples/every_command.py`` that handles it (that file runs in the tests, so every
example is code that works). Then the values and enums the fields take, and the codes
of the reference directory (the demo directory).

The walk is static and errs on the side of listing: a rule is listed when some path of
the handler can raise it (a shared guard counts for every command that calls it). Rules
every command passes through before its handler — who may send what, back-dating bounds,
field validation — are listed once, at the top.

``tests/test_command_reference.py`` regenerates the page and fails when it differs from
docs/commands.md, so the reference cannot drift from the code.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import enum
import functools
import inspect
import itertools
import re
import sys
import textwrap
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from callcore import commands as public_commands
from callcore.adapters.directory_file import demo_directory
from callcore.domain import (
    agent,
    backdating,
    call,
    common,
    complaint,
    customer,
    dispatch,
    notification,
    order,
    policy,
    reference,
    ticket,
)
from callcore.domain.common import Actor, Command, Event, Role, Rule
from callcore.domain.directory import Directory, Skill
from callcore.service_layer import authority

WALKED_PACKAGES = ("callcore.domain", "callcore.service_layer")
"""Whose code the walk follows: the decisions and the handlers, nothing with I/O."""

WALKTHROUGH = Path(__file__).resolve().parents[2] / "examples" / "every_command.py"
"""The walkthrough whose steps are the examples (in a source checkout)."""

MARKER = re.compile(r"^\s*# --- (?P<name>\w+)\s*$")


def handler_table() -> Mapping[type[Command], Callable[..., Any]]:
    """Which handler decides which command: the one place the reference reads it from."""
    from callcore.service_layer.bootstrap import handler_table as composed

    return dict(composed().items())


@attrs.frozen
class Group:
    """A section of the reference: the commands of one aggregate (or concern)."""

    title: str
    spec: str
    modules: tuple[types.ModuleType, ...]


GROUPS: tuple[Group, ...] = (
    Group("Customer", "domain.md §4.1", (customer,)),
    Group("Order (电话受订)", "domain.md §4.2", (order,)),
    Group("Ticket (问讯解答 / Case 受理)", "domain.md §4.3", (ticket,)),
    Group("Complaint (投诉)", "domain.md §4.4", (complaint,)),
    Group("Dispatch (派工)", "domain.md §4.5", (dispatch,)),
    Group("Call", "domain.md §4.6", (call,)),
    Group("Agents in the queues", "interfaces.md §6", (agent,)),
    Group("SLA clocks", "domain.md §6", (common,)),
    Group("The directory and the SLA policy in force", "domain.md §3, §6", (reference, policy)),
    Group("Notifications", "domain.md §5", (notification,)),
)


# --------------------------------------------------------------------------- the walk


@attrs.frozen
class _Instance:
    """An expression known only by its type (a parameter, ``self``, an attribute)."""

    cls: type


_UNKNOWN: Any = object()


def _walked(value: Any) -> bool:
    module = getattr(value, "__module__", None) or ""
    return any(module == p or module.startswith(p + ".") for p in WALKED_PACKAGES)


def _hints(target: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(target)
    except Exception:  # a forward reference the walk cannot resolve: no types known
        return {}


def _as_class(hint: Any) -> type | None:
    """The class a hint names (``X | None`` names X), when it names exactly one."""
    if isinstance(hint, type):
        return hint
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        classes = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(classes) == 1 and isinstance(classes[0], type):
            return classes[0]
    return None


@functools.cache
def _function_tree(function: Callable[..., Any]) -> ast.AST | None:
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return None
    try:
        return ast.parse(source)
    except SyntaxError:  # a lambda cut out of a longer line: its caller's tree has it
        return None


def _owner_class(function: Callable[..., Any]) -> type | None:
    """The class a method is defined in (for ``self``)."""
    parts = function.__qualname__.split(".")
    if len(parts) < 2 or "<locals>" in parts:
        return None
    owner: Any = sys.modules.get(function.__module__)
    for part in parts[:-1]:
        owner = getattr(owner, part, None)
    return owner if isinstance(owner, type) else None


@attrs.define
class _Summary:
    """What one function's own code references: rules, events built, callees."""

    rules: dict[str, Rule] = attrs.field(factory=dict)
    events: dict[str, type[Event]] = attrs.field(factory=dict)
    callees: list[Callable[..., Any]] = attrs.field(factory=list)


_SUMMARIES: dict[Any, _Summary] = {}
_INIT_TYPES: dict[type, dict[str, type]] = {}


def _summary(function: Callable[..., Any]) -> _Summary:
    if function not in _SUMMARIES:
        summary = _Summary()
        _SUMMARIES[function] = summary
        tree = _function_tree(function)
        if tree is not None:
            _Collector(summary).collect(function, tree)
    return _SUMMARIES[function]


class CodeWalk:
    """The rules and events reachable from some functions, through the calls they make
    into :data:`WALKED_PACKAGES`."""

    def __init__(self) -> None:
        self.rules: dict[str, Rule] = {}
        self.events: dict[str, type[Event]] = {}
        self._seen: set[Any] = set()

    def walk(self, function: Callable[..., Any]) -> CodeWalk:
        pending = [function]
        while pending:
            current = inspect.unwrap(pending.pop())
            if current in self._seen:
                continue
            self._seen.add(current)
            if not isinstance(current, (types.FunctionType, types.MethodType)):
                # a handler that is an object (a partial, a table entry holding its
                # decision, a callable class): follow the functions it holds
                pending.extend(reversed(_held_functions(current)))
                continue
            summary = _summary(current)
            for name, rule in summary.rules.items():
                self.rules.setdefault(name, rule)
            for name, event in summary.events.items():
                self.events.setdefault(name, event)
            pending.extend(reversed(summary.callees))
        return self


def _held_functions(handler: Any) -> list[Any]:
    held: list[Any] = []
    if isinstance(handler, functools.partial):
        held += [handler.func, *handler.args, *handler.keywords.values()]
    elif attrs.has(type(handler)):
        held += [getattr(handler, a.name) for a in attrs.fields(type(handler))]
    else:
        held += list(getattr(handler, "__dict__", {}).values())
    call = vars(type(handler)).get("__call__")
    if isinstance(call, types.FunctionType) and _walked(call):
        held.append(call)
    return [h for h in held if (callable(h) and not isinstance(h, type)) or attrs.has(type(h))]


class _Collector:
    """Fills one function's summary while its code is read."""

    def __init__(self, summary: _Summary) -> None:
        self.summary = summary

    def collect(self, function: Callable[..., Any], tree: ast.AST) -> None:
        scope = _Scope(self, function, tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                made = scope.resolve(node.func)
                if isinstance(made, type) and issubclass(made, Event) and made is not Event:
                    self.summary.events.setdefault(made.__name__, made)
            elif isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
                self.found(scope.resolve(node))

    def found(self, value: Any) -> None:
        if isinstance(value, Rule):
            self.summary.rules.setdefault(value.name, value)
        elif isinstance(value, (dict, tuple, list, set, frozenset)):
            items: Iterable[Any] = value.values() if isinstance(value, dict) else value
            for item in items:
                if isinstance(item, Rule):
                    self.summary.rules.setdefault(item.name, item)
        elif isinstance(value, property) and value.fget is not None and _walked(value.fget):
            self.summary.callees.append(value.fget)
        elif isinstance(value, (staticmethod, classmethod)):
            self.found(value.__func__)
        elif inspect.ismethod(value) and _walked(value.__func__):
            self.summary.callees.append(value.__func__)
        elif isinstance(value, types.FunctionType) and _walked(value):
            self.summary.callees.append(value)
        elif isinstance(getattr(value, "__wrapped__", None), types.FunctionType):
            self.found(value.__wrapped__)  # a cached function (functools.lru_cache)

    def attribute_of(self, cls: type, name: str) -> Any:
        """What ``<an instance of cls>.name`` is: a method, or an instance of a type."""
        try:
            raw = inspect.getattr_static(cls, name)
        except AttributeError:
            raw = _UNKNOWN
        if isinstance(raw, property):
            self.found(raw)
            returned = _as_class(_hints(raw.fget).get("return")) if raw.fget else None
            return _Instance(returned) if returned else _UNKNOWN
        if isinstance(raw, (staticmethod, classmethod)):
            return raw.__func__
        if isinstance(raw, types.FunctionType):
            return raw
        hinted = _as_class(_hints(cls).get(name))
        if hinted is not None:
            return _Instance(hinted)
        assigned = _assigned_in_init(cls).get(name)
        return _Instance(assigned) if assigned is not None else _UNKNOWN


def _assigned_in_init(cls: type) -> dict[str, type]:
    """``self.x = <a typed parameter>`` or ``self.x = SomeClass(...)`` in ``__init__``."""
    if cls in _INIT_TYPES:
        return _INIT_TYPES[cls]
    found: dict[str, type] = {}
    _INIT_TYPES[cls] = found
    init = cls.__dict__.get("__init__")
    tree = _function_tree(init) if isinstance(init, types.FunctionType) else None
    if init is None or tree is None:
        return found
    scope = _Scope(_Collector(_Summary()), init, tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == "self"
        ):
            value = scope.resolve(node.value)
            if isinstance(value, _Instance):
                found[target.attr] = value.cls
    return found


class _Scope:
    """Name resolution inside one function: its parameters' types, the locals it
    assigns from typed calls, its closure, its module."""

    def __init__(self, collector: _Collector, function: Callable[..., Any], tree: ast.AST) -> None:
        self.collector = collector
        self.globals: dict[str, Any] = getattr(function, "__globals__", {})
        try:
            self.nonlocals: Mapping[str, Any] = inspect.getclosurevars(function).nonlocals
        except (TypeError, ValueError):
            self.nonlocals = {}
        self.types: dict[str, type] = {}
        for name, hint in _hints(function).items():
            cls = _as_class(hint)
            if cls is not None and name != "return":
                self.types[name] = cls
        owner = _owner_class(function)
        if owner is not None:
            self.types.setdefault("self", owner)
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                # ``a, b = context.directory, context.number`` types each name in turn
                pairs: list[tuple[ast.expr, ast.expr]] = (
                    list(zip(target.elts, node.value.elts, strict=False))
                    if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                    else [(target, node.value)]
                )
                for assigned, expression in pairs:
                    if isinstance(assigned, ast.Name) and assigned.id not in self.types:
                        value = self.resolve(expression)
                        if isinstance(value, _Instance):
                            self.types[assigned.id] = value.cls

    def resolve(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Name):
            if node.id in self.types:
                return _Instance(self.types[node.id])
            if node.id in self.nonlocals:
                return self.nonlocals[node.id]
            if node.id in self.globals:
                return self.globals[node.id]
            return _UNKNOWN if not hasattr(builtins, node.id) else getattr(builtins, node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            if base is _UNKNOWN:
                return _UNKNOWN
            if isinstance(base, _Instance):
                return self.collector.attribute_of(base.cls, node.attr)
            return getattr(base, node.attr, _UNKNOWN)
        if isinstance(node, ast.Call):
            called = self.resolve(node.func)
            if isinstance(called, type):
                return _Instance(called)
            if isinstance(called, types.FunctionType):
                returned = _as_class(_hints(called).get("return"))
                return _Instance(returned) if returned else _UNKNOWN
        return _UNKNOWN


def reach(command_type: type[Command]) -> CodeWalk:
    """The rules and events reachable from the handler of ``command_type``."""
    return CodeWalk().walk(handler_table()[command_type])


# --------------------------------------------------------------------------- who may send


def senders(command_type: type[Command]) -> tuple[str, ...]:
    """The roles :func:`callcore.service_layer.authority.authorize` lets send it."""
    allowed: list[str] = []
    for role in Role:
        if role is Role.CUSTOMER:  # customers-act-through-the-centre
            continue
        if command_type in authority.REFERENCE_DATA and role not in authority.REFERENCE_ADOPTERS:
            continue
        if role is Role.FIELD_WORKER:
            if command_type in authority.FIELD_WORK:
                allowed.append(f"{role.value} (only on the work assigned to them)")
        elif role is Role.INTEGRATION:
            if command_type in authority.INTEGRATION_WORK:
                allowed.append(role.value)
        else:
            allowed.append(role.value)
    return tuple(allowed)


# --------------------------------------------------------------------------- examples


def examples(path: Path = WALKTHROUGH) -> dict[str, str]:
    """Command name → the walkthrough's step for it: the lines after its
    ``# --- <CommandName>`` marker, up to the first blank line, dedented."""
    if not path.exists():
        raise FileNotFoundError(
            f"the walkthrough {path} is not there: run the reference from a source checkout"
        )
    lines = path.read_text(encoding="utf-8").splitlines()
    found: dict[str, str] = {}
    for number, line in enumerate(lines):
        marker = MARKER.match(line)
        if marker is None:
            continue
        name = marker["name"]
        if name in found:
            raise ValueError(f"{path.name}:{number + 1}: a second example of {name}")
        step: list[str] = []
        for following in lines[number + 1 :]:
            if not following.strip() or MARKER.match(following):
                break
            step.append(following)
        found[name] = textwrap.dedent("\n".join(step))
    return found


# --------------------------------------------------------------------------- rendering


def _public_names() -> dict[int, str]:
    return {id(getattr(public_commands, name)): name for name in public_commands.__all__}


def type_text(hint: Any, names: Mapping[int, str] | None = None) -> str:
    """A type as a reader writes it, under the names ``callcore.commands`` exports."""
    names = _public_names() if names is None else names
    if hint is type(None):
        return "None"
    if hint is Ellipsis:
        return "..."
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_text(a, names) for a in typing.get_args(hint))
    if origin is not None:
        inner = ", ".join(type_text(a, names) for a in typing.get_args(hint))
        return f"{getattr(origin, '__name__', str(origin))}[{inner}]"
    if isinstance(hint, type):
        return names.get(id(hint), hint.__name__)
    return str(hint)


def _enums_in(hint: Any) -> list[type[enum.Enum]]:
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return [hint]
    return [e for a in typing.get_args(hint) for e in _enums_in(a)]


def _prose(text: str) -> str:
    """reST roles and literals as Markdown."""
    text = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", text)
    return text.replace("``", "`")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _default_text(attribute: attrs.Attribute[Any]) -> str:
    default = attribute.default
    if default is attrs.NOTHING:
        return "required"
    factory = getattr(default, "factory", None)
    if isinstance(default, attrs.Factory) and callable(factory):  # type: ignore[arg-type]
        default = factory()
    if isinstance(default, enum.Enum):
        return f"`{type(default).__name__}.{default.name}`"
    if isinstance(default, Actor):
        return f"`Actor(Role.{default.role.name}, {default.id!r})`"
    return f"`{default!r}`"


@functools.cache
def _module_tree(module_name: str) -> ast.Module | None:
    try:
        return ast.parse(inspect.getsource(sys.modules[module_name]))
    except (OSError, TypeError, SyntaxError, KeyError):
        return None


def _class_body(cls: type) -> list[ast.stmt]:
    tree = _module_tree(cls.__module__)
    for node in tree.body if tree is not None else ():
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            return node.body
    return []


def field_notes(cls: type) -> dict[str, str]:
    """The docstrings written under a class's fields (``x: int`` then ``\"\"\"...\"\"\"``)."""
    notes: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        for before, after in itertools.pairwise(_class_body(klass)):
            if (
                isinstance(before, ast.AnnAssign)
                and isinstance(before.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                notes[before.target.id] = inspect.cleandoc(after.value.value)
    return notes


def own_doc(cls: type) -> str:
    """A class's own docstring (attrs classes do not inherit it; ``inspect.getdoc``
    would give the base class's)."""
    doc = cls.__dict__.get("__doc__")
    return inspect.cleandoc(doc) if isinstance(doc, str) else ""


def fields_table(cls: type, *, skip: Iterable[str] = ()) -> list[str]:
    hints = typing.get_type_hints(cls)
    notes = field_notes(cls)
    skipped = set(skip)
    rows = ["| field | type | default | notes |", "| --- | --- | --- | --- |"]
    for attribute in attrs.fields(cls):
        if attribute.name in skipped:
            continue
        hint = hints[attribute.name]
        note = [notes.get(attribute.name, "")]
        for kind in _enums_in(hint):
            note.append("one of " + ", ".join(f"`{m.value}`" for m in kind))
        if attribute.converter is not None and _enums_in(hint):
            note.append("(the text value is accepted)")
        rows.append(
            f"| `{attribute.name}` | `{_cell(type_text(hint))}` | "
            f"{_cell(_default_text(attribute))} | "
            f"{_cell(' '.join(_prose(n) for n in note if n))} |"
        )
    return rows


def _anchor(name: str) -> str:
    return name.lower()


def commands_by_group() -> Iterator[tuple[Group, list[type[Command]]]]:
    table = handler_table()
    placed: set[type[Command]] = set()
    for group in GROUPS:
        members = [c for c in table if sys.modules[c.__module__] in group.modules]
        members.sort(key=lambda c: (group.modules.index(sys.modules[c.__module__]), _line(c)))
        placed.update(members)
        if members:
            yield group, members
    rest = sorted((c for c in table if c not in placed), key=lambda c: c.__name__)
    if rest:
        yield Group("Other commands", "the code", ()), rest


def _line(cls: type) -> int:
    """Where a class is defined in its module (a module's names keep their order)."""
    return list(vars(sys.modules[cls.__module__])).index(cls.__name__)


def _module_rules(*modules: types.ModuleType) -> list[Rule]:
    return [v for m in modules for v in vars(m).values() if isinstance(v, Rule)]


def command_section(command_type: type[Command], example: str | None) -> list[str]:
    name = command_type.__name__
    out = [f"### {name}", ""]
    doc = own_doc(command_type)
    out += [_prose(doc) if doc else "*(no docstring)*", ""]
    out += ["**Fields**", "", *fields_table(command_type, skip=_COMMON_FIELDS), ""]
    reached = reach(command_type)
    out += ["**Rules it can break**", ""]
    if reached.rules:
        out += [
            f"- `{rule.name}` — {_prose(rule.source)}"
            for rule in sorted(reached.rules.values(), key=lambda r: r.name)
        ]
    else:
        out.append("- none beyond the rules every command passes through")
    out += ["", "**Events it records**", ""]
    if reached.events:
        out.append(", ".join(f"`{e}`" for e in sorted(reached.events)))
    else:
        out.append("none")
    out += ["", f"**Who may send it**: {', '.join(senders(command_type))}", ""]
    out += ["**Example**", ""]
    if example is None:
        out += ["*(no example: add a `# --- " + name + "` step to examples/every_command.py)*"]
    else:
        out += ["```python", example, "```"]
    out.append("")
    return out


_COMMON_FIELDS = tuple(a.name for a in attrs.fields(Command))


def value_types() -> list[type]:
    """The values and enums ``callcore.commands`` exports beside the commands."""
    found = [getattr(public_commands, n) for n in public_commands.__all__]
    return [
        t
        for t in found
        if isinstance(t, type) and not issubclass(t, Command) and t is not Directory
    ]


def directory_tables(directory: Directory) -> list[str]:
    out = [
        "## The reference directory's codes",
        "",
        f"The codes of the demo directory ({directory.centre}, "
        "`src/callcore/data/demo-directory.toml`), which a centre opened without one runs "
        "under. A centre's own directory file has the same shape; `callcore directory "
        "STORE --out FILE` writes the one a store runs under.",
        "",
        "### Departments",
        "",
        "| code | name | role | owns | phone |",
        "| --- | --- | --- | --- | --- |",
    ]
    for d in directory.departments.values():
        owns = ", ".join(f"`{o}`" for o in d.owns) or "—"
        out.append(f"| `{d.code}` | {d.name} | `{d.role.value}` | {owns} | {d.phone} |")
    out += [
        "",
        "### Branches",
        "",
        "| code | name | address | phone |",
        "| --- | --- | --- | --- |",
    ]
    for b in directory.branches.values():
        out.append(f"| `{b.code}` | {b.name} | {b.address} | {b.phone} |")
    out += [
        "",
        "### Areas (the zones field workers serve)",
        "",
        "| code | name | branch |",
        "| --- | --- | --- |",
    ]
    for a in directory.areas.values():
        out.append(f"| `{a.code}` | {a.name} | `{a.branch}` |")
    out += ["", "### Skills", "", "| skill | field workers |", "| --- | --- |"]
    for skill in Skill:
        who = [w.id for w in directory.field_workers.values() if skill in w.skills]
        out.append(f"| `{skill.value}` | {', '.join(who) or '—'} |")
    out += [
        "",
        "### Field workers",
        "",
        "| id | name | branch | zones | skills | daily capacity |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for w in directory.field_workers.values():
        skills = ", ".join(sorted(s.value for s in w.skills))
        out.append(
            f"| `{w.id}` | {w.name} | `{w.branch}` | {', '.join(w.zones)} | {skills} | "
            f"{w.daily_capacity} |"
        )
    out += [
        "",
        "### Products and prices",
        "",
        "| code | name | unit | from | registered | walk-in |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for p in directory.products.values():
        for price in (x for x in directory.prices if x.product == p.code):
            out.append(
                f"| `{p.code}` | {p.name} | {p.unit} | {price.effective_from} | "
                f"{price.registered} | {price.walk_in} |"
            )
    out += [
        "",
        "### Consumable quotas",
        "",
        "| item | per month | per year |",
        "| --- | --- | --- |",
    ]
    for q in directory.quotas.values():
        out.append(f"| `{q.item}` | {q.per_month} | {q.per_year} |")
    out.append("")
    return out


def render(walkthrough: Path = WALKTHROUGH) -> str:
    """The whole of docs/commands.md."""
    steps = examples(walkthrough)
    table = handler_table()
    unknown = sorted(set(steps) - {c.__name__ for c in table})
    if unknown:
        raise ValueError(f"the walkthrough has steps for unknown commands: {', '.join(unknown)}")
    out = [
        "# Command reference",
        "",
        "<!-- Generated by `make reference` (python -m callcore.command_reference) from the "
        "code and examples/every_command.py: do not edit by hand. -->",
        "",
        f"Every command callcore handles ({len(table)}), grouped by aggregate in domain.md "
        "§4's order. Import any of them, and every value and enum their fields take, from "
        "`callcore` (or `callcore.commands`), and send it with `cc.handle(command)`: it "
        "returns an `Outcome` whose `events` are what was recorded, or raises a "
        "`DomainError` whose `rule` names the rule broken, and nothing is recorded. Each "
        "example is a step of [examples/every_command.py](../examples/every_command.py), "
        "one day at the demo centre that handles every command; it runs in the tests.",
        "",
        "The rules a command can break are found in the code of its handler and of the "
        "decisions it calls; the events are those those paths construct (some only on "
        "some paths: a refused consumables request records `ConsumablesRefused`).",
        "",
        "*Who may send it* is what `callcore.service_layer.authority` lets each role "
        "send through `cc.handle`; over HTTP a token's role is narrowed further by the "
        "role matrix (docs/web.md), and a command's own rules may ask for a role (a "
        "quota exception is a supervisor's: `supervisor-grants-quota-exception`).",
        "",
        "## Fields every command has",
        "",
        _prose(own_doc(Command)),
        "",
        *fields_table(Command),
        "",
        "## Rules every command passes through",
        "",
        "Before its handler decides it, the message bus holds every command to who may "
        "send what to whose records (`callcore.service_layer.authority`) and to the "
        "back-dating bounds of `occurred_at` (`callcore.domain.backdating`); a field that "
        "is not valid is refused when the command is built (`ValueError`, `valid-input` "
        "over HTTP and the CLI).",
        "",
    ]
    general = [*_module_rules(authority, backdating), common.VALID_INPUT]
    out += [f"- `{r.name}` — {_prose(r.source)}" for r in general]
    out += ["", "## Contents", ""]
    for group, members in commands_by_group():
        links = ", ".join(f"[{c.__name__}](#{_anchor(c.__name__)})" for c in members)
        out.append(f"- **{group.title}** ({group.spec}): {links}")
    out.append("")
    for group, members in commands_by_group():
        out += [f"## {group.title}", "", f"*{group.spec}*", ""]
        for command_type in members:
            out += command_section(command_type, steps.get(command_type.__name__))
    out += [
        "## Values and enums",
        "",
        "The values and enums the fields take, importable from `callcore` and "
        "`callcore.commands`. A `Directory` (for `AdoptDirectory`) is the centre's "
        "reference data: start from `cc.directory` and change it with `attrs.evolve`, or "
        "load a file with `callcore.adapters.directory_file.load_directory`; its codes "
        "are below.",
        "",
    ]
    for value_type in value_types():
        name = type_text(value_type)
        out += [f"### {name}", ""]
        doc = own_doc(value_type)
        if doc:
            out += [_prose(doc), ""]
        if issubclass(value_type, enum.Enum):
            out += [", ".join(f"`{m.value}`" for m in value_type), ""]
        elif attrs.has(value_type):
            out += [*fields_table(value_type), ""]
    out += directory_tables(demo_directory())
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m callcore.command_reference",
        description="Print the command reference (docs/commands.md) generated from the code.",
    )
    parser.add_argument(
        "--walkthrough", type=Path, default=WALKTHROUGH, help="the examples' walkthrough"
    )
    options = parser.parse_args(argv)
    try:
        page = render(options.walkthrough)
    except (FileNotFoundError, ValueError) as error:
        print(f"callcore.command_reference: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
