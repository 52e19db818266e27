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


# Issue 18 (the hostile probe): nonsensical SLA values were accepted. One error per wrong
# key, naming the key and the allowed range, at load and through `callcore directory`.
NONSENSE = [
    ({"answer_rings": -1}, "sla.answer_rings", "1 or more"),
    ({"answer_rings": 0}, "sla.answer_rings", "1 or more"),
    ({"ring_cycle_seconds": 0}, "sla.ring_cycle_seconds", "1 or more"),
    ({"short_abandon_seconds": -3}, "sla.short_abandon_seconds", "0 or more"),
    ({"warning_shares": [0.75, 1.5]}, "sla.warning_shares", "less than 1"),
    ({"warning_shares": [0.0, 0.9]}, "sla.warning_shares", "more than 0"),
    ({"warning_shares": [-0.2]}, "sla.warning_shares", "more than 0"),
    ({"answer_rings": None, "targets": {"answer": "0s"}}, "sla.targets.answer", "1 s or more"),
]


@pytest.mark.parametrize(("values", "key", "allowed"), NONSENSE)
def test_a_nonsensical_sla_value_is_refused_naming_the_key_and_the_range(
    values: dict[str, object], key: str, allowed: str
) -> None:
    def mutate(data: dict[str, dict[str, object]]) -> None:
        data["sla"].update({k: v for k, v in values.items() if v is not None})
        for k, v in values.items():
            if v is None:
                data["sla"].pop(k, None)

    error = broken(mutate)
    assert error.key == key, str(error)
    assert allowed in error.reason, str(error)


def test_a_negative_target_is_refused_in_the_domain_too() -> None:
    from callcore.domain.directory import SlaPolicy

    with pytest.raises(ValueError, match="0 s or more"):
        ClockTarget(-60)
    with pytest.raises(ValueError, match="answer_rings must be 1 or more"):
        SlaPolicy(answer_rings=0)


def test_callcore_directory_refuses_a_log_whose_directory_is_nonsense(tmp_path: Path) -> None:
    import orjson

    from tests.test_safe_outputs import GOLDEN, callcore, refused

    lines = GOLDEN.read_bytes().splitlines(keepends=True)
    header = orjson.loads(lines[0])
    header["directory"]["sla"]["answer_rings"] = -1
    log = tmp_path / "bad.jsonl"
    log.write_bytes(orjson.dumps(header) + b"\n" + b"".join(lines[1:]))
    done = callcore("directory", str(log), "--out", str(tmp_path / "centre.toml"))
    refused(done, "answer_rings", "1 or more")
    assert not (tmp_path / "centre.toml").exists()


def test_the_file_order_of_the_sla_targets_is_kept_and_a_round_trip_is_byte_identical(
    tmp_path: Path,
) -> None:
    from callcore.adapters.directory_file import directory_to_toml

    text = tomllib_dumps_free_copy().replace(
        "[sla.by_priority.emergency]",
        '[sla.targets]\ncomplaint-reply-committed = "20m"\ninquiry-transfer = "45m"\n\n'
        "[sla.by_priority.emergency]",
    )
    source = tmp_path / "centre.toml"
    source.write_text(text, encoding="utf-8")
    written = directory_to_toml(load_directory(source))
    targets = tomllib.loads(written)["sla"]["targets"]
    assert list(targets)[:2] == ["complaint-reply-committed", "inquiry-transfer"]
    again = tmp_path / "again.toml"
    again.write_text(written, encoding="utf-8")
    assert directory_to_toml(load_directory(again)) == written  # byte for byte
    for example in sorted(Path(__file__).parents[2].glob("examples/*/directory.toml")):
        once = directory_to_toml(load_directory(example))
        copy = tmp_path / f"{example.parent.name}.toml"
        copy.write_text(once, encoding="utf-8")
        assert directory_to_toml(load_directory(copy)) == once, example
