"""The directory file (domain.md §3): the demo directory loads; a malformed file fails
with the file, the key and the reason."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import pytest

from callcore.adapters.directory_file import (
    DirectoryFileError,
    demo_directory,
    directory_from_toml,
    load_directory,
    parse_duration,
)
from callcore.domain.directory import ClockTarget, DepartmentRole, Skill
from callcore.domain.phone import normalise_phone

DEMO = tomllib.loads(
    resources.files("callcore.data").joinpath("demo-directory.toml").read_text(encoding="utf-8")
)


def test_the_demo_directory_is_complete() -> None:
    directory = demo_directory()
    assert directory.calendar.timezone == "Asia/Shanghai"
    assert {a.branch for a in directory.areas.values()} == set(directory.branches)
    assert {d.role for d in directory.departments.values()} >= {
        DepartmentRole.EMERGENCY_REPAIR,
        DepartmentRole.TECHNICAL_SUPPORT,
        DepartmentRole.BUSINESS_INTERFACE,
        DepartmentRole.LEADERSHIP,
    }
    assert set().union(*(w.skills for w in directory.field_workers.values())) == set(Skill)
    assert directory.sla.answer_seconds == 15
    assert directory.sla.target("repair-arrival") == ClockTarget(7200)
    assert directory.sla.target("repair-arrival", priority=_emergency()) == ClockTarget(3600)
    for phone in [b.phone for b in directory.branches.values()] + [
        w.phone for w in directory.field_workers.values()
    ]:
        normalise_phone(phone)


def _emergency():  # type: ignore[no-untyped-def]
    from callcore.domain.common import Priority

    return Priority.EMERGENCY


def broken(mutate) -> DirectoryFileError:  # type: ignore[no-untyped-def]
    data = tomllib.loads(tomllib_dumps_free_copy())
    mutate(data)
    with pytest.raises(DirectoryFileError) as caught:
        directory_from_toml(data, "centre.toml")
    assert str(caught.value).startswith("centre.toml: ")
    return caught.value


def tomllib_dumps_free_copy() -> str:
    return resources.files("callcore.data").joinpath("demo-directory.toml").read_text("utf-8")


def test_an_area_naming_a_missing_branch() -> None:
    error = broken(lambda d: d["areas"][0].update(branch="B-MOON"))
    assert error.key == "areas.DONGMEN.branch"
    assert "B-MOON" in error.reason


def test_a_worker_with_zero_capacity() -> None:
    error = broken(lambda d: d["field_workers"][0].update(daily_capacity=0))
    assert "daily_capacity" in str(error)


def test_an_unknown_skill() -> None:
    error = broken(lambda d: d["field_workers"][0].update(skills=["juggling"]))
    assert "skills" in str(error)


def test_a_duplicate_code() -> None:
    error = broken(lambda d: d["areas"].append(dict(d["areas"][0])))
    assert "appears twice" in error.reason


def test_a_bad_duration_and_an_unknown_clock() -> None:
    error = broken(lambda d: d["sla"].update(targets={"answer": "soon"}))
    assert error.key == "sla.targets.answer"
    assert "duration" in error.reason
    error = broken(lambda d: d["sla"].update(targets={"teleport": "1h"}))
    assert error.key == "sla.targets.teleport"


def test_an_unknown_time_zone_and_section() -> None:
    assert (
        broken(lambda d: d["calendar"].update(timezone="Mars/Olympus")).key == "calendar.timezone"
    )
    assert broken(lambda d: d.update(weather={})).key == "weather"


def test_a_price_for_an_unknown_product_and_a_float_price() -> None:
    assert broken(lambda d: d["prices"][0].update(product="CAVIAR")).key == "prices[0].product"
    assert "float" in str(broken(lambda d: d["prices"][0].update(registered=105.5)))


def test_syntax_errors_and_missing_files_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[centre\nname = 'x'", encoding="utf-8")
    with pytest.raises(DirectoryFileError, match=r"bad\.toml: \(syntax\)"):
        load_directory(bad)
    with pytest.raises(DirectoryFileError, match=r"missing\.toml: \(file\)"):
        load_directory(tmp_path / "missing.toml")


def test_targets_can_be_business_time(tmp_path: Path) -> None:
    text = tomllib_dumps_free_copy().replace(
        "[sla.by_priority.emergency]",
        '[sla.targets]\ninquiry-transfer = { duration = "2h", business = true }\n\n'
        "[sla.by_priority.emergency]",
    )
    path = tmp_path / "centre.toml"
    path.write_text(text, encoding="utf-8")
    directory = load_directory(path)
    assert directory.sla.target("inquiry-transfer") == ClockTarget(7200, business=True)
    assert directory.sla.target("answer") == ClockTarget(15)  # the rest keep the defaults


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("15s", 15), ("30m", 1800), ("3h", 10800), ("2d", 172800), ("1h30m", 5400)],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


def test_demo_toml_is_what_the_package_ships() -> None:
    assert DEMO["centre"]["name"] == demo_directory().centre


def test_phone_numbers_are_normalised_and_a_bad_one_is_named() -> None:
    assert demo_directory().field_workers["W001"].phone == "+8613931000001"
    error = broken(lambda d: d["field_workers"][0].update(phone="12345"))
    assert error.key == "field_workers.W001.phone"
