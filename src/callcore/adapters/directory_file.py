"""The directory as a TOML file (domain.md §3).

The file's shape is documented in ``docs/directory.md``; the package ships a complete
demo directory (``callcore/data/demo-directory.toml``) for a fictional city so that
every example runs with nothing to set up. A malformed file fails with
:class:`DirectoryFileError`, which names the file, the key and the reason.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import cattrs
from cattrs.v import format_exception

from callcore.adapters.converter import CONVERTER
from callcore.domain.common import DomainError
from callcore.domain.directory import Directory
from callcore.domain.phone import normalise_phone

DEMO_DIRECTORY = "demo-directory.toml"
_DURATION = re.compile(r"^\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?\s*$")


class DirectoryFileError(ValueError):
    def __init__(self, file: str, key: str, reason: str) -> None:
        super().__init__(f"{file}: {key}: {reason}")
        self.file, self.key, self.reason = file, key, reason


def parse_duration(text: str) -> int:
    """``"15s"``, ``"30m"``, ``"3h"``, ``"2d"``, ``"1h30m"`` → seconds."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if not match or not any(match.groups()):
        raise ValueError(f"{text!r} is not a duration like 15s, 30m, 3h, 2d or 1h30m")
    days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def _target(value: Any, key: str, file: str) -> dict[str, Any]:
    try:
        if isinstance(value, str):
            return {"seconds": parse_duration(value), "business": False}
        if isinstance(value, Mapping):
            unknown = set(value) - {"duration", "business"}
            if unknown:
                raise ValueError(f"unknown keys {sorted(unknown)}; use duration and business")
            return {
                "seconds": parse_duration(value["duration"]),
                "business": bool(value.get("business", False)),
            }
    except (ValueError, KeyError) as error:
        raise DirectoryFileError(file, key, str(error)) from None
    raise DirectoryFileError(file, key, 'give a duration ("30m") or {duration, business}')


def _table(value: Any, key: str, file: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise DirectoryFileError(file, key, f"must be a table ([{key}] or {{...}})")
    return value


def _keyed(rows: Any, key_field: str, table: str, file: str) -> dict[str, Any]:
    if not isinstance(rows, list):
        raise DirectoryFileError(file, table, "must be an array of tables ([[...]])")
    keyed: dict[str, Any] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping) or key_field not in row:
            raise DirectoryFileError(file, f"{table}[{index}]", f"needs a {key_field!r}")
        if not isinstance(row[key_field], str) or not row[key_field].strip():
            raise DirectoryFileError(file, f"{table}[{index}].{key_field}", "must be text")
        if row[key_field] in keyed:
            raise DirectoryFileError(
                file, f"{table}[{index}].{key_field}", f"{row[key_field]!r} appears twice"
            )
        keyed[row[key_field]] = row
    return keyed


def directory_from_toml(data: Mapping[str, Any], file: str = "<directory>") -> Directory:
    known = {
        "centre",
        "calendar",
        "sla",
        "service_fees",
        "branches",
        "areas",
        "departments",
        "field_workers",
        "products",
        "prices",
        "quotas",
        "follow_ups",
        "telephony",
        "back_dating",
    }
    for key in data:
        if key not in known:
            raise DirectoryFileError(file, key, f"unknown section; expected one of {sorted(known)}")
    centre = data.get("centre")
    if not isinstance(centre, Mapping) or "name" not in centre:
        raise DirectoryFileError(file, "centre.name", "the centre needs a name")
    shaped: dict[str, Any] = {
        "centre": centre["name"],
        "phone_region": centre.get("phone_region", "CN"),
        "branches": _keyed(data.get("branches", []), "code", "branches", file),
        "areas": _keyed(data.get("areas", []), "code", "areas", file),
        "departments": _keyed(data.get("departments", []), "code", "departments", file),
        "field_workers": _keyed(data.get("field_workers", []), "id", "field_workers", file),
        "products": _keyed(data.get("products", []), "code", "products", file),
        "prices": data.get("prices", []),
    }
    if "quotas" in data:
        shaped["quotas"] = _keyed(data["quotas"], "item", "quotas", file)
    if "follow_ups" in data:
        shaped["follow_ups"] = data["follow_ups"]
    if "telephony" in data:
        shaped["telephony"] = data["telephony"]
    if "service_fees" in data:
        shaped["service_fees"] = data["service_fees"]
    if "calendar" in data:
        shaped["calendar"] = data["calendar"]
    if "back_dating" in data:
        shaped["back_dating"] = _back_dating(data["back_dating"], file)
    if "sla" in data:
        sla = dict(_table(data["sla"], "sla", file))
        if "targets" in sla:
            from callcore.domain.directory import DEFAULT_TARGETS

            # the file's clocks in the file's order, then the defaults it leaves out: a
            # directory written back (`callcore directory`) reads as the file did
            targets: dict[str, Any] = {}
            for clock, value in _table(sla["targets"], "sla.targets", file).items():
                if clock not in DEFAULT_TARGETS and clock != "answer":
                    raise DirectoryFileError(file, f"sla.targets.{clock}", "no such clock id")
                targets[clock] = _target(value, f"sla.targets.{clock}", file)
            for clock, default in DEFAULT_TARGETS.items():
                targets.setdefault(clock, CONVERTER.unstructure(default))
            sla["targets"] = targets
            _check_answer_target(sla, file)
        for overrides in ("by_priority", "by_customer_level"):
            if overrides in sla:
                sla[overrides] = {
                    level: {
                        clock: _target(value, f"sla.{overrides}.{level}.{clock}", file)
                        for clock, value in _table(table, f"sla.{overrides}.{level}", file).items()
                    }
                    for level, table in _table(sla[overrides], f"sla.{overrides}", file).items()
                }
        shaped["sla"] = sla
    directory = structure_directory(shaped, file)
    _check_references(directory, file)
    return _normalised_phones(directory, file)


_FIELD_REASON = re.compile(r"^([a-z_]+(?:\.[a-z_]+)?) (must|are) (.*)$", re.S)


def structure_directory(data: Mapping[str, Any], file: str = "<directory>") -> Directory:
    """A :class:`Directory` from its unstructured form (a file's, or an event log
    header's), or :class:`DirectoryFileError` naming the key and what is allowed."""
    try:
        return CONVERTER.structure(data, Directory)
    except cattrs.BaseValidationError as error:
        messages = cattrs.transform_error(error, path="$", format_exception=_describe)
        first = messages[0] if messages else f"{error} @ $"
        reason, _, path = first.rpartition(" @ ")
        key = _toml_key(path)
        named = _FIELD_REASON.match(reason)
        if named:  # a validator's message names its field: the key is the field's
            key = f"{key}.{named[1]}" if key != "(top)" else named[1]
            reason = f"{named[2]} {named[3]}"
        raise DirectoryFileError(file, key, reason) from None
    except (ValueError, TypeError, KeyError) as error:
        raise DirectoryFileError(file, "directory", str(error)) from None


_BACK_DATING_KEYS = {
    "people": "people_seconds",
    "integrations": "integration_seconds",
    "future_skew": "future_skew_seconds",
    "system": "system_seconds",
    "corrections": "corrections_seconds",
}


def _back_dating(value: Any, file: str) -> dict[str, Any]:
    """``[back_dating]``: people, integrations and future_skew as durations, and
    ``[back_dating.sources]``: an integration's own bound by its id."""
    table = _table(value, "back_dating", file)
    shaped: dict[str, Any] = {}
    for key, item in table.items():
        where = f"back_dating.{key}"
        if key == "sources":
            sources = _table(item, where, file)
            shaped["by_source"] = {
                source: _duration(bound, f"{where}.{source}", file)
                for source, bound in sources.items()
            }
        elif key in _BACK_DATING_KEYS:
            shaped[_BACK_DATING_KEYS[key]] = _duration(item, where, file)
        else:
            known = ", ".join([*_BACK_DATING_KEYS, "sources"])
            raise DirectoryFileError(file, where, f"unknown key; expected one of {known}")
    return shaped


def _duration(value: Any, key: str, file: str) -> int:
    try:
        return parse_duration(value)
    except ValueError as error:
        raise DirectoryFileError(file, key, str(error)) from None


def _check_answer_target(sla: Mapping[str, Any], file: str) -> None:
    """``targets.answer`` and ``answer_rings`` are one setting: both may be given only
    when they agree (rings × ring cycle)."""
    answer = sla["targets"].get("answer")
    rings = sla.get("answer_rings")
    if answer is None or rings is None:
        return
    cycle = sla.get("ring_cycle_seconds", 5)
    if not isinstance(rings, int) or not isinstance(cycle, int):
        return  # the structuring below names the bad type
    if answer["seconds"] != rings * cycle:
        raise DirectoryFileError(
            file,
            "sla.targets.answer, sla.answer_rings",
            f"the answer target is given twice and they disagree: targets.answer = "
            f"{format_duration(answer['seconds'])} but answer_rings = {rings} × "
            f"ring_cycle_seconds = {cycle} is {format_duration(rings * cycle)}; "
            "give one of them, or make them agree",
        )


def _normalised_phones(directory: Directory, file: str) -> Directory:
    """Phone numbers in E.164, as every event stores them; a bad one fails the load."""

    def phone(raw: str, key: str) -> str:
        if not raw:
            return raw
        try:
            return normalise_phone(raw, directory.phone_region)
        except DomainError as error:
            raise DirectoryFileError(file, key, error.detail) from None

    return attrs.evolve(
        directory,
        branches={
            code: attrs.evolve(b, phone=phone(b.phone, f"branches.{code}.phone"))
            for code, b in directory.branches.items()
        },
        departments={
            code: attrs.evolve(d, phone=phone(d.phone, f"departments.{code}.phone"))
            for code, d in directory.departments.items()
        },
        field_workers={
            wid: attrs.evolve(w, phone=phone(w.phone, f"field_workers.{wid}.phone"))
            for wid, w in directory.field_workers.items()
        },
    )


def _describe(error: BaseException, type_: Any) -> str:
    # Our validators' messages say what is wrong in the user's terms; keep them.
    if isinstance(error, (ValueError, TypeError)) and str(error):
        return str(error)
    return format_exception(error, type_)


def _toml_key(path: str) -> str:
    """``$.field_workers['W001'].skills`` → ``field_workers.W001.skills``."""
    return re.sub(r"\['([^']*)'\]", r".\1", path).removeprefix("$").lstrip(".") or "(top)"


def _check_references(directory: Directory, file: str) -> None:
    for code, area in directory.areas.items():
        if area.branch not in directory.branches:
            raise DirectoryFileError(file, f"areas.{code}.branch", f"no branch {area.branch!r}")
    for worker_id, worker in directory.field_workers.items():
        if worker.branch not in directory.branches:
            raise DirectoryFileError(
                file, f"field_workers.{worker_id}.branch", f"no branch {worker.branch!r}"
            )
        if not worker.zones:
            raise DirectoryFileError(file, f"field_workers.{worker_id}.zones", "needs a zone")
        for zone_code in worker.zones:
            if zone_code not in directory.areas:
                raise DirectoryFileError(
                    file, f"field_workers.{worker_id}.zones", f"no area {zone_code!r}"
                )
    for index, price in enumerate(directory.prices):
        if price.product not in directory.products:
            raise DirectoryFileError(
                file, f"prices[{index}].product", f"no product {price.product!r}"
            )
    from callcore.domain.calendar import zone

    try:
        zone(directory.calendar.timezone)
    except Exception:  # zoneinfo raises several kinds
        raise DirectoryFileError(
            file, "calendar.timezone", f"unknown time zone {directory.calendar.timezone!r}"
        ) from None


class TomlDirectory:
    """The :class:`~callcore.ports.DirectorySource` of a TOML file (``docs/adapters.md``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def load(self) -> Directory:
        return load_directory(self.path)


def load_directory(path: str | Path) -> Directory:
    file = str(path)
    if Path(path).is_dir():
        raise DirectoryFileError(file, "(file)", "is a directory; give a directory TOML file")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise DirectoryFileError(file, "(file)", error.strerror or str(error)) from None
    except UnicodeDecodeError as error:
        raise DirectoryFileError(
            file, "(file)", f"not a UTF-8 TOML text file (byte {error.start} is not UTF-8)"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DirectoryFileError(file, "(syntax)", str(error)) from None
    return directory_from_toml(data, file)


def demo_directory() -> Directory:
    """The demo directory of the fictional city of Hexi, shipped with the package."""
    source = resources.files("callcore.data").joinpath(DEMO_DIRECTORY)
    return directory_from_toml(tomllib.loads(source.read_text(encoding="utf-8")), DEMO_DIRECTORY)


def format_duration(seconds: int) -> str:
    """Seconds → the file's duration form: ``"1h30m"``, ``"15s"``, ``"0s"``."""
    parts = []
    days, rest = divmod(int(seconds), 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    for value, unit in ((days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")):
        if value:
            parts.append(f"{value}{unit}")
    return "".join(parts) or "0s"


def _without_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def directory_to_toml(directory: Directory) -> str:
    """A directory as the TOML file :func:`load_directory` reads (the inverse of
    :func:`directory_from_toml`): how QA turn a log's directory into a file to edit for a
    what-if (``callcore directory LOG --out centre.toml``)."""
    import tomli_w

    data: dict[str, Any] = CONVERTER.unstructure(directory)
    shaped: dict[str, Any] = {
        "centre": {"name": data.pop("centre"), "phone_region": data.pop("phone_region")}
    }
    for table in ("calendar", "sla", "follow_ups", "service_fees", "telephony"):
        if table in data:
            shaped[table] = data.pop(table)
    sla = shaped.get("sla", {})

    def target(value: Mapping[str, Any]) -> Any:
        duration = format_duration(value["seconds"])
        return {"duration": duration, "business": True} if value["business"] else duration

    if "targets" in sla:
        sla["targets"] = {clock: target(v) for clock, v in sla["targets"].items()}
    for overrides in ("by_priority", "by_customer_level"):
        if overrides in sla:
            sla[overrides] = {
                level: {clock: target(v) for clock, v in table.items()}
                for level, table in sla[overrides].items()
            }
    if "back_dating" in data:
        bounds = data.pop("back_dating")
        shaped["back_dating"] = {
            key: format_duration(bounds[field])
            for key, field in _BACK_DATING_KEYS.items()
            if field in bounds
        }
        if bounds.get("by_source"):
            shaped["back_dating"]["sources"] = {
                source: format_duration(seconds) for source, seconds in bounds["by_source"].items()
            }
    for table in ("branches", "areas", "departments", "field_workers", "products", "quotas"):
        if table in data:
            shaped[table] = list(data.pop(table).values())
    shaped["prices"] = data.pop("prices", [])
    shaped.update(data)
    text: str = tomli_w.dumps(_without_nulls(shaped))
    return text


def demo_directory_path() -> Path:
    """Where the demo directory file is (to copy and edit)."""
    return Path(str(resources.files("callcore.data").joinpath(DEMO_DIRECTORY)))
