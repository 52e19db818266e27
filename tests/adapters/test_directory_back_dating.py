"""The directory's [back_dating] section (domain.md §6): read, written back, refused."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from callcore.adapters.directory_file import (
    DirectoryFileError,
    directory_from_toml,
    directory_to_toml,
)
from callcore.domain.backdating import BackDating


def demo() -> dict:  # type: ignore[type-arg]
    text = resources.files("callcore.data").joinpath("demo-directory.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_the_demo_directory_states_the_default_bounds_and_the_queue_log_back_fill():
    bounds = directory_from_toml(demo()).back_dating
    assert (bounds.people_seconds, bounds.integration_seconds, bounds.future_skew_seconds) == (
        15 * 60, 24 * 3600, 120,
    )
    assert bounds.by_source == {"asterisk": 366 * 86400}
    # every actor has a bound: the system actor's and a correction's are stated too
    assert (bounds.system_seconds, bounds.corrections_seconds) == (31 * 86400, 31 * 86400)


def test_the_system_and_correction_bounds_are_read_and_written_back():
    data = demo()
    data["back_dating"] = {**data["back_dating"], "system": "2d", "corrections": "7d"}
    bounds = directory_from_toml(data).back_dating
    assert (bounds.system_seconds, bounds.corrections_seconds) == (2 * 86400, 7 * 86400)
    again = directory_from_toml(tomllib.loads(directory_to_toml(directory_from_toml(data))))
    assert again.back_dating == bounds


def test_a_directory_without_the_section_takes_the_defaults():
    data = demo()
    del data["back_dating"]
    assert directory_from_toml(data).back_dating == BackDating()


def test_the_bounds_are_written_back_as_the_file_reads_them():
    data = demo()
    data["back_dating"] = {"people": "5m", "integrations": "2h", "future_skew": "30s",
                           "sources": {"crm": "3d"}}
    directory = directory_from_toml(data)
    assert directory.back_dating == BackDating(300, 7200, 30, {"crm": 3 * 86400})
    assert directory_from_toml(tomllib.loads(directory_to_toml(directory))) == directory


@pytest.mark.parametrize(("section", "key", "reason"), [
    ({"people": "soon"}, "back_dating.people", "not a duration"),
    ({"humans": "15m"}, "back_dating.humans", "unknown key"),
    ({"sources": {"pbx": 5}}, "back_dating.sources.pbx", "not a duration"),
    ("15m", "back_dating", "must be a table"),
])
def test_a_wrong_bound_names_its_key(section, key, reason):
    data = demo()
    data["back_dating"] = section
    with pytest.raises(DirectoryFileError) as caught:
        directory_from_toml(data, "centre.toml")
    assert caught.value.key == key and reason in caught.value.reason
