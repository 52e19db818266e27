"""Every CLI command, swept (issue 18, the hostile probe): a store that is not there is not
made by a command that changes an existing one; a malformed or unauthorised actor is one
line, exit 2, nothing stored; no two path arguments of a command may be one file.

The commands and their parameters are read from the CLI itself, so a new command or a
new path argument is swept too (or fails here until the table below says what it is)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import typer

from callcore.__main__ import app
from tests.test_safe_outputs import GOLDEN, callcore, digests, refused

DEMO_TOML = Path(__file__).parents[1] / "src" / "callcore" / "data" / "demo-directory.toml"


def commands() -> dict[str, Any]:
    """Every command by its full name ("telephony ingest" for a sub-command)."""
    found: dict[str, Any] = {}

    def walk(group: Any, prefix: str) -> None:
        for name, command in getattr(group, "commands", {}).items():
            if getattr(command, "commands", None):  # a group (typer's is not click's)
                walk(command, f"{prefix}{name} ")
            else:
                found[f"{prefix}{name}"] = command

    walk(typer.main.get_command(app), "")
    return found


def option_names(command: Any) -> set[str]:
    return {name for param in command.params for name in param.opts}


# ---------------------------------------------------------------------- 1. a store must exist

CHANGES_AN_EXISTING_STORE = {
    "adopt-directory": (
        "adopt-directory",
        str(DEMO_TOML),
        "--by",
        "supervisor:S01",
        "--reason",
        "new prices",
    ),
    "worker": ("worker",),
}


@pytest.mark.parametrize("name", sorted(CHANGES_AN_EXISTING_STORE))
def test_a_command_that_changes_a_store_refuses_one_that_is_not_there(
    name: str, tmp_path: Path
) -> None:
    typo = tmp_path / "typo.db"
    done = callcore(*CHANGES_AN_EXISTING_STORE[name], "--db", f"sqlite:///{typo}")
    refused(done, "no store at")
    assert not typo.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_command_that_changes_a_store_refuses_a_postgres_database_without_one(
    postgres_url: str,
) -> None:
    import psycopg

    done = callcore(*CHANGES_AN_EXISTING_STORE["adopt-directory"], "--db", postgres_url)
    refused(done, "not a callcore store")
    schema = postgres_url.rsplit("schema=", 1)[1]
    with psycopg.connect(postgres_url.split("?")[0]) as connection:
        tables = connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchone()
    assert tables == (0,)


# ---------------------------------------------------------------------- 2. actors

ACTOR_OPTIONS = {"--by", "--actor"}
MALFORMED_ACTORS = ("nobody", "agent:", "agent: ", ":A01", "manager:M01", "", "supervisor")
MAY_NOT_ADOPT = ("agent:A01", "field-worker:W001", "integration:pbx", "customer:C-1")


def actor_commands() -> dict[str, str]:
    """Every command that takes an actor, and its option."""
    return {
        name: next(iter(option_names(command) & ACTOR_OPTIONS))
        for name, command in commands().items()
        if option_names(command) & ACTOR_OPTIONS
    }


def actor_arguments(name: str, db: Path) -> tuple[str, ...]:
    if name == "adopt-directory":
        return ("adopt-directory", str(DEMO_TOML), "--db", f"sqlite:///{db}", "--reason", "x")
    if name == "audit":
        return ("audit", f"sqlite:///{db}")
    raise AssertionError(f"{name} takes an actor: say here how to run it")


def test_the_sweep_knows_every_command_that_takes_an_actor() -> None:
    assert set(actor_commands()) == {"adopt-directory", "audit"}


@pytest.fixture(scope="module")
def golden_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("golden") / "centre.db"
    done = callcore("import", str(GOLDEN), "--db", f"sqlite:///{db}")
    assert done.returncode == 0, done.stderr
    return db


@pytest.fixture
def store(golden_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "centre.db"
    shutil.copy(golden_store, copy)
    return copy


@pytest.mark.parametrize("name", sorted(actor_commands()))
@pytest.mark.parametrize("who", MALFORMED_ACTORS)
def test_a_malformed_actor_is_one_line_and_nothing_is_stored(
    name: str, who: str, store: Path
) -> None:
    before = digests(store.parent)
    option = actor_commands()[name]
    done = callcore(*actor_arguments(name, store), option, who)
    refused(done, option, "role:id")
    assert digests(store.parent) == before


@pytest.mark.parametrize("who", MAY_NOT_ADOPT)
def test_an_actor_who_may_not_adopt_a_directory_is_one_line_and_nothing_is_stored(
    who: str, store: Path
) -> None:
    before = digests(store.parent)
    done = callcore(*actor_arguments("adopt-directory", store), "--by", who)
    refused(done, "supervisor")
    assert digests(store.parent) == before


# ---------------------------------------------------------------------- 6. same files

PATH_PARAMETERS: dict[str, tuple[str, ...]] = {
    "demo": ("--db",),
    "tour": ("--db",),
    "worker": ("--db", "--directory"),
    "export": ("--db", "--out", "--directory"),
    "redact": ("LOG", "--out"),
    "import": ("LOG", "--db"),
    "history": ("SOURCE",),
    "audit": ("SOURCE", "--directory"),
    "simulate": ("--out",),
    "directory": ("LOG", "--out"),
    "adopt-directory": ("FILE", "--db"),
    "replay": ("LOG", "--what-if-directory"),
    "views": ("--db", "--directory", "--what-if-directory"),
    "serve": ("--db", "--tokens", "--directory"),
    "token": (),
    "report": ("--out", "--db", "--log", "--directory"),
    "telephony ingest": ("--db", "--queue-log", "--queue-log-table", "--directory"),
    "telephony ami": ("--db", "--directory"),
}
"""Every command's path-like arguments: a store URL (its file), logs, directory files,
token files, outputs."""

URLS = {"--db", "--queue-log-table"}
PATH_WORDS = ("db", "out", "log", "directory", "file", "source", "tokens", "what-if", "table")


def test_the_table_names_every_command_and_every_path_argument() -> None:
    found = commands()
    assert set(found) == set(PATH_PARAMETERS)
    for name, command in found.items():
        pathlike = {
            (param.opts[0] if param.param_type_name == "option" else param.name.upper())
            for param in command.params
            if any(word in param.name.replace("_", "-") for word in PATH_WORDS)
            and param.name not in {"table_name", "output", "source_timezone"}  # not paths
        }
        # an option's main spelling, as the table gives it
        spelled = {
            next((o for o in param.opts if o in PATH_PARAMETERS[name]), param.opts[0])
            if param.param_type_name == "option"
            else param.name.upper()
            for param in command.params
            if (param.opts[0] if param.param_type_name == "option" else param.name.upper())
            in pathlike
        }
        assert spelled == set(PATH_PARAMETERS[name]), name


def pairs() -> list[tuple[str, str, str]]:
    return [
        (name, first, second)
        for name, params in sorted(PATH_PARAMETERS.items())
        for index, first in enumerate(params)
        for second in params[index + 1 :]
    ]


def arguments(name: str, given: dict[str, str], folder: Path) -> list[str]:
    """A command line of ``name`` with the given path arguments and whatever else it
    needs to get as far as reading them: its other required options (a fresh path, no
    file), ``--force`` (an existing output is not why it is refused)."""
    command = commands()[name]
    positional = [value for key, value in given.items() if not key.startswith("-")]
    options = [part for key, value in given.items() if key.startswith("-") for part in (key, value)]
    needs = {
        "history": ["ticket-T-1"],
        "adopt-directory": ["--by", "supervisor:S01", "--reason", "x"],
    }.get(name, [])
    for param in command.params:
        main = param.opts[0]
        if param.required and main.startswith("--") and not set(param.opts) & set(given):
            fresh = folder / f"fresh{main.strip('-')}"
            needs += [main, f"sqlite:///{fresh}.db" if main in URLS else str(fresh)]
    if name == "report" and not {"--db", "--log"} & set(given):
        needs += ["--log", str(GOLDEN)]
    if "--force" in option_names(command):
        needs.append("--force")
    return [*name.split(), *positional, *needs, *options]


@pytest.mark.parametrize(("name", "first", "second"), pairs())
def test_two_path_arguments_that_are_one_file_are_refused(
    name: str, first: str, second: str, store: Path
) -> None:
    """The one file is an existing callcore store (the worst case: it is the data), given
    by the first argument as itself and by the second through a symlink (samefile: the
    same name is the simpler case of it)."""
    folder = store.parent
    other = folder / "link.toml"
    other.symlink_to(store)
    given = {
        first: f"sqlite:///{store}" if first in URLS else str(store),
        second: f"sqlite:///{other}" if second in URLS else str(other),
    }
    before = digests(folder)
    done = callcore(*arguments(name, given, folder))
    refused(done, "same file")
    assert digests(folder) == before
