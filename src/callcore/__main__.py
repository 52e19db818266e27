"""The ``callcore`` command (also ``python -m callcore``)."""

from __future__ import annotations

import collections
import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, tzinfo
from typing import Any

import typer

app = typer.Typer(
    name="callcore",
    help="An event-sourced domain library for customer-service call centres.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def demo(
    db: str = typer.Option(
        None, "--db", help="Store URL (default: a new SQLite file in a temporary folder)."
    ),
) -> None:
    """Simulate a business day on the embedded default (SQLite) and print its SLA,
    queue, satisfaction and daily views."""
    from callcore.demo import run

    with _user_errors():
        run(db)


@app.command()
def tour(
    db: str = typer.Option(
        None, "--db", help="Store URL (default: a new SQLite file in a temporary folder)."
    ),
) -> None:
    """Tell one scripted business day step by step: every rule at work, refusals included."""
    from callcore.tour import run

    with _user_errors():
        run(db)


@app.command()
def worker(
    db: str = typer.Option(..., "--db", help="Store URL, e.g. sqlite:///centre.db"),
    follow: bool = typer.Option(False, "--follow", help="Keep folding new events as they come."),
    batch: int = typer.Option(500, "--batch", min=1, help="Events folded per transaction."),
    rebuild: bool = typer.Option(
        False, "--rebuild", help="Drop the read models and fold all again."
    ),
    directory: str = typer.Option(None, "--directory", help="Directory TOML file (default: demo)."),
    notify: str = typer.Option(
        None,
        "--notify",
        help="Also run the processes (notifications, deadlines, follow-ups, voicemail, the "
        "17:30 summary), sending through 'log', 'webhook:URL' (secret in "
        "CALLCORE_WEBHOOK_SECRET) or an installed package's notifier, 'name:argument'.",
    ),
) -> None:
    """Keep the SQL read models up to date with the store, and run the processes."""
    import os

    from callcore.adapters.readmodels import ProjectionWorker, SqlReadModels

    pause = float(os.environ.get("CALLCORE_WORKER_PAUSE", "0"))  # for the crash tests
    with _user_errors():
        _distinct(("--db", db), ("--directory", directory))
        _existing_store(db, "worker")
        center = _open_centre(db, directory, read_only=False)
        read_models = SqlReadModels(db)
        runner = ProjectionWorker(
            center.store,
            read_models,
            center.directory,
            batch_size=batch,
            after_batch=(lambda _: __import__("time").sleep(pause)) if pause else None,
        )
        processes = _processes(center, notify) if notify else []
        if processes:
            runner.after_batch = None
            folded = runner.rebuild() if rebuild else runner.catch_up()
            for process in processes:
                process.run_once()
            while follow:
                runner.store_wait(0.5)
                folded += runner.catch_up()
                for process in processes:
                    report = process.run_once()
                    if report.failed:
                        typer.echo(f"callcore: {report.failed} (will retry)", err=True)
        else:
            folded = runner.rebuild() if rebuild else runner.run(follow=follow)
        typer.echo(f"folded {folded} events; the read models are at position {runner.position}")


def _processes(center: Any, notify: str) -> list[Any]:
    from callcore.adapters import registry

    if notify == "log":
        import logging

        logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        notifier = registry.notifier(notify)
    except (registry.UnknownAdapter, ValueError, TypeError) as error:
        raise typer.BadParameter(str(error), param_hint="--notify") from None
    return [
        center.notification_process(notifier),
        center.escalation_process(notifier),
        center.follow_up_retry_process(notifier),
        center.voicemail_process(notifier),
        center.daily_summary_process(notifier),
    ]


@app.command("export")
def export_command(
    db: str = typer.Option(..., "--db", help="Store URL to export."),
    out: str = typer.Option(..., "--out", help="The event-log file to write (JSON Lines)."),
    directory: str = typer.Option(
        None,
        "--directory",
        help="Only for a store that records no directory (made before they were kept): "
        "the directory TOML file to write in the header (default: demo).",
    ),
    redact: bool = typer.Option(
        False, "--redact", help="Pseudonymise names, phones, addresses and free text."
    ),
    redaction_key: str = typer.Option(
        None,
        "--redaction-key",
        envvar="CALLCORE_REDACTION_KEY",
        help="Secret for the pseudonyms (≥ 16 characters); the same key gives the same "
        "pseudonyms in every export.",
    ),
    force: bool = typer.Option(False, "--force", help="Replace OUT if it exists."),
) -> None:
    """Write a store's whole history to an event-log file."""
    from callcore.adapters.clock import SystemClock
    from callcore.adapters.eventlog import Header, export_log
    from callcore.adapters.eventstore import store_files

    with _user_errors():
        _distinct(("--db", db), ("--out", out), ("--directory", directory))
        _safe_to_write(out, [*store_files(db), *([directory] if directory else [])], force)
        center = _open_centre(db, directory, read_only=True)
        centre, store = center.directory, center.store
        total = store.last_position()
        redactor = _redactor(redaction_key) if redact else None
        header = Header(centre.centre, SystemClock().now(), False, centre)
        try:
            with _progress(f"exporting to {out}", total) as step:
                count = export_log(store, out, header, step, redactor, force=force)
        except OSError as error:
            raise _UserError(f"cannot write {out}: {error.strerror}") from None
        typer.echo(f"exported {count} events to {out}" + (" (redacted)" if redact else ""))


@app.command()
def redact(
    log: str = typer.Argument(..., help="The event-log file to redact."),
    out: str = typer.Option(..., "--out", help="The redacted copy to write."),
    redaction_key: str = typer.Option(
        None,
        "--redaction-key",
        envvar="CALLCORE_REDACTION_KEY",
        help="Secret for the pseudonyms (≥ 16 characters).",
    ),
    force: bool = typer.Option(False, "--force", help="Replace OUT if it exists."),
) -> None:
    """Write a redacted copy of an event-log file."""
    from callcore.adapters.eventlog import redact_log

    with _user_errors():
        _distinct(("LOG", log), ("--out", out))
        size = os.path.getsize(_existing(log))
        _safe_to_write(out, [log], force)
        redactor = _redactor(redaction_key)
        try:
            with _progress(f"redacting {log}", size // 400 or None) as step:
                count = redact_log(log, out, redactor, step, force=force)
        except OSError as error:
            raise _UserError(f"cannot write {out}: {error.strerror}") from None
        typer.echo(f"wrote {count} redacted events to {out}")


def _redactor(key: str | None) -> Any:
    from callcore.adapters.redaction import redactor_from_key

    try:
        return redactor_from_key(key, lambda text: typer.echo(f"callcore: {text}", err=True))
    except ValueError as error:
        raise _UserError(f"--redaction-key: {error}") from None


@app.command("import")
def import_command(
    log: str = typer.Argument(..., help="The event-log file to read."),
    db: str = typer.Option(..., "--db", help="An empty store to import into."),
) -> None:
    """Import an event-log file into an empty store: all of it, or nothing."""
    from callcore.adapters.eventlog import check_log, store_log
    from callcore.adapters.eventstore import open_store, sqlite_path, store_files

    with _user_errors():
        _distinct(("LOG", log), ("--db", db))
        size = os.path.getsize(_existing(log))
        for file in store_files(db):
            if os.path.exists(file) and os.path.samefile(file, log):
                raise _UserError(f"{log} is the store's own file; import into another store")
        with _progress(f"checking {log}", size) as step:
            checked = check_log(log, step)  # every line, before a store is made
        path = sqlite_path(db)
        with _progress(f"importing {log}", size) as step:
            if path is not None and not os.path.lexists(path):
                count = _import_into_new_sqlite(log, path, checked, step)
            else:
                store = open_store(db)
                try:
                    count = store_log(log, store, checked, step)
                finally:
                    store.close()
        typer.echo(f"imported {count} events of {checked.header.centre} into {db}")


def _import_into_new_sqlite(log: str, path: str, checked: Any, step: Any) -> int:
    """A new SQLite store is built beside its place and renamed into it only when
    complete: the batches of the import are not one transaction, and a killed or
    failed import must leave no store rather than half of one (quality.md R2)."""
    import sqlite3
    import tempfile

    from callcore.adapters.eventlog import store_log
    from callcore.adapters.eventstore import open_store

    folder = os.path.dirname(os.path.abspath(path))
    handle, staged = tempfile.mkstemp(
        prefix=f".{os.path.basename(path)}.", suffix=".importing", dir=folder
    )
    os.close(handle)
    leftovers = [staged, f"{staged}-wal", f"{staged}-shm", f"{staged}-journal"]
    try:
        store = open_store(f"sqlite:///{staged}")
        try:
            count = store_log(log, store, checked, step)
        finally:
            store.close()
        connection = sqlite3.connect(staged)
        try:  # everything into the database file itself, before it is moved
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
        for side in leftovers[1:]:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(side)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staged, 0o666 & ~umask)  # a store's usual mode (mkstemp's is private)
        os.replace(staged, path)
    except BaseException:
        for file in leftovers:
            with contextlib.suppress(OSError):
                os.unlink(file)
        raise
    return count


@app.command()
def history(
    source: str = typer.Argument(..., help="An event-log file or a store URL."),
    stream: str = typer.Argument(..., help="The stream, e.g. ticket-T-3F9A0C12B4."),
) -> None:
    """The timeline of one aggregate, event by event: when each fact happened and when
    the store took it."""
    import orjson

    from callcore.adapters.eventlog import event_line, read_log
    from callcore.adapters.eventstore import open_store

    with _user_errors():
        if "://" in source:
            records = list(open_store(source, read_only=True).read_stream(stream))
        else:
            with open(_existing(source), "rb") as file:
                _, events = read_log(file)
                records = [r for r in events if r.stream == stream]
        if not records:
            raise _UserError(f"no stream {stream!r} in {source}")
        for record in records:
            line = orjson.loads(event_line(record))
            typer.echo(
                f"{line['version']:>4}  {line['at']}  recorded {line['recorded_at']}  "
                f"{line['actor']:<22} {line['type']}  "
                f"{orjson.dumps(line['data']).decode()}"
            )


@app.command()
def audit(
    source: str = typer.Argument(..., help="An event-log file or a store URL."),
    actor: str = typer.Option(
        None, "--actor", help="Whose actions, e.g. agent:A07, supervisor:S01, field-worker:W007."
    ),
    since: str = typer.Option(None, "--since", help="From this instant or day (inclusive)."),
    until: str = typer.Option(None, "--until", help="Up to this instant or day (exclusive)."),
    directory: str = typer.Option(
        None, "--directory", help="A store's directory TOML file, for its time zone."
    ),
) -> None:
    """Who did what, when: every recorded action, across records, in the order it was
    recorded — of one person (--actor), over a period (--since/--until)."""
    import orjson

    from callcore.adapters.eventlog import event_line, read_log
    from callcore.domain.calendar import zone
    from callcore.replay import LoggedHistory

    with _user_errors():
        wanted = None if actor is None else _actor(actor, "--actor")
        _distinct(("SOURCE", source), ("--directory", directory))
        if "://" in source:
            center = _open_centre(source, directory, read_only=True)
            store: Any = center.store
            centre_zone = zone(center.directory.calendar.timezone)
        else:
            with open(_existing(source), "rb") as file:
                header, events = read_log(file)
                store = LoggedHistory(list(events))
            centre_zone = zone(header.directory.calendar.timezone)
        start = _day_start_or_instant(since, "--since", centre_zone)
        end = _day_start_or_instant(until, "--until", centre_zone)
        shown = 0
        for positioned in store.read_all():
            record = positioned.recorded
            event = record.event
            if wanted is not None and event.actor != wanted:
                continue
            if (start is not None and event.at < start) or (end is not None and event.at >= end):
                continue
            line = orjson.loads(event_line(record))
            typer.echo(
                f"{line['at']}  recorded {line['recorded_at']}  "
                f"{line['actor']:<22} {record.stream:<34} {line['type']}  "
                f"{orjson.dumps(line['data']).decode()}"
            )
            shown += 1
        if not shown:
            raise _UserError(f"nothing recorded in {source} matches")


def _actor(text: str, option: str) -> Any:
    """Who, as ``role:id`` with a known role and an id (``agent:`` or ``nobody`` is no
    one: refused, never read as someone)."""
    from callcore.domain.common import Actor, Role

    role, colon, ident = text.strip().partition(":")
    roles = ", ".join(r.value for r in Role)
    if not colon or not ident.strip() or role not in {r.value for r in Role}:
        raise _UserError(f"{option}: {text!r} is not role:id, e.g. supervisor:S01 (roles: {roles})")
    return Actor(Role(role), ident.strip())


def _distinct(*named: tuple[str, str | None]) -> None:
    """No two path arguments of a command are one file (a log given as the store turns
    into a store; a store given as a directory file...): refused before anything is
    opened. A store URL stands for its database file."""
    from callcore.adapters.eventstore import sqlite_path
    from callcore.adapters.safe_output import check_distinct

    check_distinct(
        (name, sqlite_path(value) if "://" in value else value)
        for name, value in named
        if value is not None
    )


def _existing_store(db: str, command: str) -> None:
    """A command that changes an existing store's history refuses a store that is not
    there (a mistyped ``--db`` would otherwise be a new, empty store that "recorded" it).
    Only import, demo, tour, serve and the telephony feeds make a store (docs/adapters.md)."""
    from callcore.adapters.eventstore import NotAStore, open_store, sqlite_path

    path = sqlite_path(db)
    if path is not None and not os.path.lexists(path):
        raise _UserError(
            f"no store at {db}: {command} changes an existing store (import, demo, tour, "
            "serve or telephony make one)"
        )
    try:
        open_store(db, read_only=True).close()
    except NotAStore as error:
        raise _UserError(f"{error}; {command} changes an existing store only") from None


def _existing(path: str) -> str:
    if os.path.isdir(path):
        raise _UserError(f"{path} is a directory; give a file")
    if not os.path.isfile(path):
        raise _UserError(f"no such file: {path}")
    return path


def _open_centre(
    db: str,
    directory: str | None,
    *,
    read_only: bool,
    clock: Any = None,
    cipher_key: str | None = None,
) -> Any:
    """A centre on a store, under the store's own directory; a directory file given is
    used only by a store that records none (and recorded, when opened for writing).
    What is not the store's own directory is said on stderr, in one line."""
    import warnings

    from callcore.adapters.directory_file import load_directory
    from callcore.center import CallCenter, DirectoryNotice

    given = load_directory(directory) if directory else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DirectoryNotice)
        center = CallCenter.open(
            db, directory=given, clock=clock, cipher_key=cipher_key, read_only=read_only
        )
    if center.directory_notice:
        typer.echo(f"callcore: {center.directory_notice}", err=True)
    return center


def _safe_to_write(out: str, inputs: list[str], force: bool) -> None:
    """Refuse an output that is an input or exists (without --force) before anything is
    read, simulated or opened for writing."""
    from callcore.adapters.safe_output import check_output

    check_output(out, inputs, force=force)


# ---------------------------------------------------------------------------- progress


@contextlib.contextmanager
def _progress(description: str, total: float | None) -> Iterator[Callable[[float], None]]:
    """A progress bar on a terminal (on stderr); nothing at all when piped."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    if not console.is_terminal or os.environ.get("CALLCORE_QUIET"):
        yield lambda _done: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done: bar.update(task, completed=done)


# ---------------------------------------------------------------------------- times


def _parse_time(text: str | None, option: str, centre_zone: tzinfo) -> datetime | None:
    """ISO 8601; without an offset, the centre's local time; a bare date is its end."""
    from callcore.formats import parse_instant

    try:
        return None if text is None else parse_instant(text, centre_zone)
    except ValueError as error:
        raise _UserError(f"{option}: {error}") from None


def _day_start_or_instant(text: str | None, option: str, centre_zone: tzinfo) -> datetime | None:
    """A bare day is its first instant (a period's bounds); anything else, an instant."""
    from callcore.formats import parse_day

    if text is not None and len(text.strip()) == 10:
        try:
            return datetime.combine(parse_day(text), datetime.min.time(), centre_zone)
        except ValueError:
            pass
    return _parse_time(text, option, centre_zone)


def _parse_day(text: str | None) -> date | None:
    from callcore.formats import parse_day

    try:
        return None if text is None else parse_day(text)
    except ValueError as error:
        raise _UserError(f"--day: {error}") from None


def _choice(value: str | None, option: str, choices: tuple[str, ...]) -> str | None:
    if value is not None and value not in choices:
        raise _UserError(f"{option}: {value!r} is not one of {', '.join(choices)}")
    return value


# ---------------------------------------------------------------------------- simulate


@app.command()
def simulate(
    out: str = typer.Option(..., "--out", help="The event-log file to write (JSON Lines)."),
    seed: int = typer.Option(1, "--seed", help="The same seed gives the same file, byte for byte."),
    days: int = typer.Option(1, "--days", help="How many days to simulate."),
    agents: int = typer.Option(10, "--agents", help="Seats (agents) in the centre."),
    start: str = typer.Option(
        "2026-11-02", "--start", help="The first day (YYYY-MM-DD; default a Monday)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace OUT if it exists."),
) -> None:
    """Write a realistic, deterministic event log of a simulated centre."""
    from callcore.adapters.eventlog import Header, write_log
    from callcore.adapters.safe_output import safe_output
    from callcore.simulation import Settings
    from callcore.simulation import simulate as run_simulation

    with _user_errors():
        first_day = _parse_day(start)
        assert first_day is not None
        if days < 1 or agents < 1:
            raise _UserError("--days and --agents must be at least 1")
        _safe_to_write(out, [], force)  # before minutes of simulation, not after
        settings = Settings(seed=seed, days=days, agents=agents, start=first_day)
        begun: list[datetime] = []
        # The lines are streamed to a spool beside OUT as they are recorded (the
        # simulation keeps no copy of its history); the header, which carries the clock
        # at the end, goes first when OUT is written.
        try:
            spool = tempfile.TemporaryFile(dir=os.path.dirname(os.path.abspath(out)))  # noqa: SIM115 (closed by the with below)
        except OSError as error:
            raise _UserError(f"cannot write beside {out}: {error.strerror}") from None
        with spool:
            with _progress(f"simulating {days} day(s) of {agents} seats", days * 86_400) as step:

                def progress(instant: datetime) -> None:
                    begun.append(instant) if not begun else None
                    step((instant - begun[0]).total_seconds())

                center, report = run_simulation(settings, progress=progress, log=spool)
            header = Header(center.directory.centre, center.clock.now(), False, center.directory)
            try:
                spool.seek(0)
                with safe_output(out, force=force) as file:
                    write_log(file, header, ())
                    shutil.copyfileobj(spool, file, 1 << 20)
            except OSError as error:
                raise _UserError(f"cannot write {out}: {error.strerror}") from None
        count = report.events
        refused = sum(report.refused.values())
        typer.echo(
            f"wrote {count} events to {out}: {report.calls} calls ({report.answered} answered, "
            f"{report.abandoned} abandoned, {report.voicemails} to voicemail), "
            f"{report.commands} commands, {refused} refused by the rules"
        )


@app.command("directory")
def directory_command(
    log: str = typer.Argument(..., help="An event-log file, or a store URL."),
    out: str = typer.Option(..., "--out", help="The directory TOML file to write."),
    force: bool = typer.Option(False, "--force", help="Replace OUT if it exists."),
) -> None:
    """Write the directory a log was recorded under, or a store runs under, as a TOML
    file — to edit it and adopt it (adopt-directory) or replay the same history under it
    (replay --what-if-directory)."""
    from callcore.adapters.directory_file import directory_to_toml
    from callcore.adapters.eventlog import read_log
    from callcore.adapters.eventstore import store_files
    from callcore.adapters.safe_output import write_bytes

    with _user_errors():
        inputs = store_files(log) if "://" in log else [log]
        _distinct(("LOG", log), ("--out", out))
        _safe_to_write(out, inputs, force)
        if "://" in log:
            centre = _open_centre(log, None, read_only=True).directory
        else:
            with open(_existing(log), "rb") as file:
                centre = read_log(file)[0].directory
        try:
            write_bytes(out, directory_to_toml(centre).encode(), inputs, force=force)
        except OSError as error:
            raise _UserError(f"cannot write {out}: {error.strerror}") from None
        typer.echo(f"wrote the directory of {centre.centre} to {out}")


@app.command("adopt-directory")
def adopt_directory(
    file: str = typer.Argument(..., help="The directory TOML file to run under from now."),
    db: str = typer.Option(..., "--db", help="The store, e.g. sqlite:///centre.db"),
    by: str = typer.Option(
        ..., "--by", help="Who adopts it, e.g. supervisor:S01 (recorded with it)."
    ),
    reason: str = typer.Option(
        ..., "--reason", help="Why: a new price list, a worker leaving... (recorded)."
    ),
) -> None:
    """Record a change of the directory in the store, in force from now (prices,
    workers, areas change over a centre's life; history keeps its values)."""
    from callcore.adapters.directory_file import load_directory
    from callcore.center import CallCenter
    from callcore.service_layer.authority import REFERENCE_ADOPTERS

    with _user_errors():
        _distinct(("FILE", file), ("--db", db))
        actor = _actor(by, "--by")
        if actor.role not in REFERENCE_ADOPTERS:  # said before the store is opened
            raise _UserError(
                f"--by {by}: a {actor.role} may not adopt a directory; a supervisor does "
                "(e.g. --by supervisor:S01)"
            )
        if not reason.strip():
            raise _UserError("--reason: say why the directory changes")
        directory = load_directory(file)
        _existing_store(db, "adopt-directory")
        import warnings

        from callcore.center import DirectoryNotice

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DirectoryNotice)
            center = CallCenter.open(db)
        try:
            before = center.directories().latest
            center.adopt_directory(directory, by=actor, reason=reason)
        finally:
            center.close()
        if before == directory:
            typer.echo("the store already runs under this directory; nothing recorded")
        else:
            typer.echo(f"recorded: {db} runs under {file} from now ({actor}: {reason.strip()})")


# ---------------------------------------------------------------------------- views


def _print_views(
    views: Any,
    names: tuple[str, ...],
    as_of: datetime,
    day: date | None,
    what_if: Any,
    output: str,
    centre_zone: tzinfo,
) -> None:
    from rich.console import Console

    from callcore.formats import dumps, print_view, view_data

    chosen: dict[str, Any] = {}
    as_of_day = as_of.astimezone(centre_zone).date()
    if len(names) > 1 and what_if is None and day in (None, as_of_day):
        every = views.rebuild_all(as_of)  # one pass over the events for all of them
        chosen = {name: getattr(every, name) for name in names}
    for name in names if not chosen else ():
        if name == "sla":
            chosen[name] = views.sla(as_of, directory=what_if)
        elif name == "queues":
            chosen[name] = views.queues(as_of, directory=what_if)
        elif name == "satisfaction":
            chosen[name] = views.satisfaction(as_of)
        else:
            local_day = day or as_of.astimezone(centre_zone).date()
            chosen[name] = views.daily(local_day, as_of, directory=what_if)
    if output == "json":
        data = {name: view_data(view, centre_zone) for name, view in chosen.items()}
        sys.stdout.buffer.write(dumps(data[names[0]] if len(names) == 1 else data))
        sys.stdout.flush()
        return
    console = Console()
    for view in chosen.values():
        print_view(console, view, centre_zone)


_VIEW_HELP = "sla, queues, satisfaction or daily (default: all four)."
_FORMAT_HELP = "table (for people) or json (stable, documented in docs/event-log.md)."


@app.command()
def replay(
    log: str = typer.Argument(..., help="The event-log file."),
    until: str = typer.Option(
        None, "--until", help="As of this instant (ISO 8601; default: the last event)."
    ),
    view: str = typer.Option(None, "--view", help=_VIEW_HELP),
    output: str = typer.Option("table", "--format", help=_FORMAT_HELP),
    directory: str = typer.Option(
        None,
        "--what-if-directory",
        "--directory",
        help="What-if: re-evaluate the same history under this directory's SLA policy.",
    ),
    day: str = typer.Option(None, "--day", help="The daily report's day (default: as-of day)."),
    knowing: str = typer.Option(
        "recorded",
        "--knowing",
        help="recorded (default): what had been recorded by the instant, as the views "
        "showed then; now: knowing everything recorded now, what had happened by then.",
    ),
) -> None:
    """Build the views of a logged centre as of any instant."""
    from callcore.adapters.directory_file import load_directory
    from callcore.domain.calendar import zone
    from callcore.formats import VIEW_NAMES
    from callcore.replay import Replay
    from callcore.views import KNOWING

    with _user_errors():
        _choice(view, "--view", VIEW_NAMES)
        _distinct(("LOG", log), ("--what-if-directory", directory))
        _choice(output, "--format", ("table", "json"))
        _choice(knowing, "--knowing", KNOWING)
        size = os.path.getsize(_existing(log))
        what_if = load_directory(directory) if directory else None
        with _progress(f"reading {log}", size) as step:
            replayed = Replay.from_log(log, progress=step)
        centre_zone = zone(replayed.directory.calendar.timezone)
        as_of = _parse_time(until, "--until", centre_zone) or replayed.as_of
        _print_views(
            replayed.views if knowing == "recorded" else replayed.views.knowing_now(),
            (view,) if view else VIEW_NAMES,
            as_of,
            _parse_day(day),
            what_if,
            output,
            centre_zone,
        )


_TELEPHONY_VIEWS = ("intervals", "agents", "staffing")


def _print_telephony_view(
    name: str,
    views: Any,
    centre: Any,
    as_of: datetime,
    day: date,
    output: str,
    interval_minutes: int,
    thresholds: str | None,
) -> None:
    from callcore.domain.calendar import BusinessCalendar, zone
    from callcore.formats import dumps

    calendar = BusinessCalendar(centre.calendar)
    centre_zone = zone(centre.calendar.timezone)
    start, end = calendar.day_span(day)
    data: Any
    if name == "intervals":
        from callcore.projections.answering import AnswerRule
        from callcore.projections.intervals import interval_report, render_table, report_data
        from callcore.projections.queues import QueueMetrics

        try:
            chosen = tuple(int(part) for part in (thresholds or "").split(",") if part.strip())
        except ValueError:
            raise _UserError(f"--thresholds {thresholds!r}: whole seconds, e.g. 15,30") from None
        chosen = chosen or (centre.sla.answer_seconds, 30)
        fold = QueueMetrics(centre).apply_all(views.records(as_of))
        try:
            report = interval_report(
                fold.calls.values(),
                at=as_of,
                start=start,
                end=end,
                minutes=interval_minutes,
                thresholds=chosen,
                short_abandon_seconds=centre.sla.short_abandon_seconds,
                rule=AnswerRule.of(centre.sla),
            )
        except ValueError as error:
            raise _UserError(f"--view intervals: {error}") from None
        data, text = report_data(report), render_table(report, centre_zone)
    elif name == "staffing":
        try:
            staffing = views.staffing(day, as_of, minutes=interval_minutes)
        except ValueError as error:
            raise _UserError(f"--view staffing: {error}") from None
        sys.stdout.write(staffing.to_json() if output == "json" else staffing.to_table())
        sys.stdout.flush()
        return
    else:
        from callcore.projections.agents import AgentDay, agents_data, render_agents

        agents = AgentDay(centre).apply_all(views.records(as_of)).view(as_of, start, end)
        data, text = agents_data(agents), render_agents(agents, centre_zone)
    if output == "json":
        sys.stdout.buffer.write(dumps(data))
        sys.stdout.flush()
    else:
        typer.echo(text, nl=False)


@app.command()
def views(
    db: str = typer.Option(..., "--db", help="Store URL, e.g. sqlite:///centre.db"),
    at: str = typer.Option(None, "--at", help="As of this instant (ISO 8601; default: now)."),
    view: str = typer.Option(
        None, "--view", help=_VIEW_HELP + " Also intervals, agents or staffing (Erlang C)."
    ),
    output: str = typer.Option("table", "--format", help=_FORMAT_HELP),
    directory: str = typer.Option(
        None,
        "--directory",
        help="Only for a store that records no directory (made before they were kept): "
        "the centre's directory TOML file (default: demo). A store's own is always used.",
    ),
    what_if: str = typer.Option(
        None,
        "--what-if-directory",
        "--what-if",
        help="What-if: re-evaluate under this directory's SLA policy (records nothing).",
    ),
    day: str = typer.Option(None, "--day", help="The daily report's day (default: as-of day)."),
    interval_minutes: int = typer.Option(
        30, "--interval-minutes", help="--view intervals, staffing: 15, 30 or 60-minute intervals."
    ),
    thresholds: str = typer.Option(
        None,
        "--thresholds",
        help="--view intervals: service-level thresholds in seconds, e.g. 15,30 "
        "(default: the directory's answer target and 30).",
    ),
    knowing: str = typer.Option(
        "recorded",
        "--knowing",
        help="recorded (default): what had been recorded by the instant, as the views "
        "showed then; now: knowing everything recorded now, what had happened by then.",
    ),
) -> None:
    """The views of a live store, as of now or any past instant (read-only), under the
    directory in force at that instant. Also ``--view intervals`` (the queues by interval,
    a wait histogram, service level for several thresholds and every variant) and
    ``--view agents`` (the agents' day) and ``--view staffing`` (the agents Erlang C
    needs per interval beside those logged in, docs/staffing.md)."""
    from callcore.adapters.clock import ManualClock, SystemClock
    from callcore.adapters.directory_file import load_directory
    from callcore.domain.calendar import zone
    from callcore.formats import VIEW_NAMES
    from callcore.views import KNOWING

    with _user_errors():
        _choice(view, "--view", (*VIEW_NAMES, *_TELEPHONY_VIEWS))
        _distinct(("--db", db), ("--directory", directory), ("--what-if-directory", what_if))
        _choice(output, "--format", ("table", "json"))
        _choice(knowing, "--knowing", KNOWING)
        other = load_directory(what_if) if what_if else None
        _parse_time(at, "--at", UTC)  # a mistyped time is said before the store is opened
        clock = ManualClock(SystemClock().now())
        center = _open_centre(db, directory, read_only=True, clock=clock)
        centre_zone = zone(center.directory.calendar.timezone)
        as_of = _parse_time(at, "--at", centre_zone) or clock.now()
        clock.set(as_of)
        chosen = center.views if knowing == "recorded" else center.views.knowing_now()
        if view in _TELEPHONY_VIEWS:
            _print_telephony_view(
                view,
                chosen,
                center.directory_at(as_of),  # its thresholds and target as they were then
                as_of,
                _parse_day(day) or as_of.astimezone(centre_zone).date(),
                output,
                interval_minutes,
                thresholds,
            )
            return
        _print_views(
            chosen,
            (view,) if view else VIEW_NAMES,
            as_of,
            _parse_day(day),
            other,
            output,
            centre_zone,
        )


@app.command()
def serve(
    db: str = typer.Option(..., "--db", help="Store URL, e.g. sqlite:///centre.db"),
    tokens: str = typer.Option(
        None,
        "--tokens",
        envvar="CALLCORE_TOKENS_FILE",
        help="The token file (TOML; see `callcore token`). Also CALLCORE_TOKENS_FILE.",
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to listen on."),
    directory: str = typer.Option(None, "--directory", help="Directory TOML file (default: demo)."),
    poll: float = typer.Option(
        5.0, "--poll", min=0.2, help="Seconds between the wallboard's updates."
    ),
    cipher_key: str = typer.Option(
        None, "--cipher-key", envvar="CALLCORE_CIPHER_KEY", help="Encrypt events at rest."
    ),
    clock_from: str = typer.Option(
        None,
        "--clock-from",
        help="Run the centre's clock from this instant (replay a recorded day live).",
    ),
    clock_speed: float = typer.Option(
        1.0, "--clock-speed", min=0.01, help="With --clock-from: how many times real time."
    ),
    twilio_auth_token: str = typer.Option(
        None,
        "--twilio-auth-token",
        envvar="TWILIO_AUTH_TOKEN",
        help="Mount Twilio's voice webhooks at /telephony/twilio/* (also TWILIO_AUTH_TOKEN).",
    ),
    public_url: str = typer.Option(
        None, "--public-url", help="With Twilio: the address Twilio calls, e.g. https://cc.example"
    ),
    twilio_queue: str = typer.Option("hotline", "--twilio-queue", help="The queue's name."),
) -> None:
    """The web adapter: the HTTP API (OpenAPI at /schema/openapi.json) and the
    wallboard (/wallboard#token=...), under uvicorn."""
    import uvicorn

    from callcore.adapters.web import TokenBook, TokenFileError, create_app

    with _user_errors():
        _distinct(("--db", db), ("--tokens", tokens), ("--directory", directory))
        if not tokens:
            raise _UserError(
                "--tokens: give a token file (make one with `callcore token --role supervisor "
                "--id S01 >> tokens.toml`); callcore serves no one without tokens"
            )
        try:
            book = TokenBook.load(tokens)
        except TokenFileError as error:
            raise _UserError(f"--tokens: {error}") from None
        clock = None
        if clock_from is not None:
            from callcore.adapters.clock import RunningClock
            from callcore.adapters.directory_file import demo_directory, load_directory
            from callcore.adapters.eventstore import NotAStore
            from callcore.center import CallCenter
            from callcore.domain.calendar import zone

            try:  # the store's own directory's time zone, when the store exists
                with CallCenter.open(db, cipher_key=cipher_key, read_only=True) as existing:
                    centre = existing.directory
            except NotAStore:
                centre = load_directory(directory) if directory else demo_directory()
            start = _parse_time(clock_from, "--clock-from", zone(centre.calendar.timezone))
            assert start is not None
            clock = RunningClock(start, clock_speed)
        center = _open_centre(db, directory, read_only=False, clock=clock, cipher_key=cipher_key)
        twilio = None
        if twilio_auth_token:
            from callcore.adapters.telephony.twilio import TwilioSettings

            if not public_url:
                raise _UserError(
                    "--public-url: Twilio signs the address it calls; give it "
                    "(e.g. https://callcore.example.cn)"
                )
            twilio = TwilioSettings(twilio_auth_token, public_url, twilio_queue)
        application = create_app(center, book, poll_seconds=poll, twilio=twilio)
        typer.echo(
            f"callcore: serving {center.directory.centre} from {db} on http://{host}:{port} "
            f"({len(book)} tokens); wallboard at /wallboard, API at /schema/openapi.json",
            err=True,
        )
    try:
        uvicorn.run(application, host=host, port=port, log_level="info", access_log=False)
    finally:
        center.close()


@app.command()
def token(
    role: str = typer.Option(
        ..., "--role", help="agent, supervisor, field-worker, qa or integrator."
    ),
    ident: str = typer.Option(..., "--id", help="Who it is: a seat id, a 工号, a system's name."),
) -> None:
    """Make a new bearer token: prints its [[token]] entry for the token file on stdout
    (append it: `>> tokens.toml`) and the token itself on stderr, once."""
    from callcore.adapters.web.access import WebRole, new_token, token_entry

    with _user_errors():
        roles = tuple(r.value for r in WebRole)
        _choice(role, "--role", roles)
        if not ident.strip():
            raise _UserError("--id: give who the token is for")
        secret = new_token()
        typer.echo(f"# token for {role} {ident}: give it to them; it is not stored", err=True)
        typer.echo(secret, err=True)
        typer.echo(token_entry(secret, WebRole(role), ident.strip()))


@app.command()
def report(
    out: str = typer.Option(..., "--out", help="The HTML file to write."),
    db: str = typer.Option(None, "--db", help="Store URL (or give --log)."),
    log: str = typer.Option(None, "--log", help="An event-log file (or give --db)."),
    day: str = typer.Option(
        None, "--day", help="The centre-local day (default: the last day with events)."
    ),
    directory: str = typer.Option(
        None,
        "--directory",
        help="With --db, only for a store that records no directory: its TOML file.",
    ),
    force: bool = typer.Option(False, "--force", help="Replace OUT if it exists."),
) -> None:
    """Write the wallboard's picture of one day as a static HTML file with charts."""
    from callcore.adapters.clock import ManualClock
    from callcore.adapters.eventstore import store_files
    from callcore.adapters.safe_output import write_bytes
    from callcore.adapters.web.app import wallboard_page
    from callcore.adapters.web.live import LiveBoard
    from callcore.domain.calendar import zone
    from callcore.replay import Replay

    with _user_errors():
        _distinct(("--out", out), ("--db", db), ("--log", log), ("--directory", directory))
        if (db is None) == (log is None):
            raise _UserError("give one of --db URL or --log FILE")
        inputs = [*(store_files(db) if db else [log]), *([directory] if directory else [])]
        _safe_to_write(out, inputs, force)
        wanted = _parse_day(day)
        if log is not None:
            source: Any = Replay.from_log(_existing(log))
            last = source.as_of
        else:
            clock = ManualClock(datetime.now().astimezone())
            source = _open_centre(db, directory, read_only=True, clock=clock)
            store = source.store
            # Only the newest event says which day is the last (when the store took it:
            # a stray future-dated fact cannot move the report); LiveBoard reads the rest.
            newest = list(store.read_all(max(store.last_position() - 1, 0)))
            last = (
                newest[-1].recorded.recorded_at
                if newest
                else datetime.now(zone(source.directory.calendar.timezone))
            )
            clock.set(last)
        local_zone = zone(source.directory.calendar.timezone)
        the_day = wanted or last.astimezone(local_zone).date()
        day_end = datetime.combine(the_day, datetime.max.time(), tzinfo=local_zone)
        # A past day as of its end; today's as of now (never the future).
        as_of = day_end if log is not None else min(day_end, datetime.now(local_zone))
        picture = LiveBoard(source).picture(as_of, the_day)
        try:
            write_bytes(out, wallboard_page(picture=picture).encode(), inputs, force=force)
        except OSError as error:
            raise _UserError(f"cannot write {out}: {error.strerror}") from None
        typer.echo(f"callcore: wrote {out} ({source.directory.centre}, {the_day})", err=True)


telephony_app = typer.Typer(
    help="Feed a telephony source into a store (interfaces.md §6).", no_args_is_help=True
)
app.add_typer(telephony_app, name="telephony")


@telephony_app.command("ingest")
def telephony_ingest(
    db: str = typer.Option(..., "--db", help="Store URL, e.g. sqlite:///centre.db"),
    queue_log: list[str] = typer.Option(  # noqa: B008 (typer reads it; never mutated)
        None,
        "--queue-log",
        help="Asterisk's queue_log file (gzip too); repeat for rotated files, in any order.",
    ),
    follow: bool = typer.Option(
        False, "--follow", help="Keep reading what is appended, through log rotation."
    ),
    table: str = typer.Option(
        None, "--queue-log-table", help="Or: the realtime queue_log table's database URL."
    ),
    table_name: str = typer.Option("queue_log", "--table", help="The realtime table's name."),
    source_timezone: str = typer.Option(
        None,
        "--source-timezone",
        help="The zone of the source's times without an offset (a realtime table's naive "
        "datetimes), e.g. UTC; default: the directory's [telephony] source_timezone, "
        "else the centre's zone.",
    ),
    directory: str = typer.Option(None, "--directory", help="Directory TOML file (default: demo)."),
) -> None:
    """Asterisk queue_log lines into Call records. Safe to run again: lines already
    recorded record nothing. Lines are assembled call by call, so the order of the
    lines and of the files does not matter."""
    from callcore.adapters.telephony import Feed
    from callcore.adapters.telephony.queue_log import (
        QueueLogFeed,
        QueueLogFileError,
        QueueLogTableError,
        check_table,
        follow_lines,
        is_gzip,
        read_lines,
        table_lines,
    )
    from callcore.domain.calendar import zone

    files = list(queue_log or [])
    with _user_errors():
        _distinct(
            ("--db", db),
            *(("--queue-log", name) for name in files),
            ("--queue-log-table", table),
            ("--directory", directory),
        )
        if bool(files) == (table is not None):
            raise _UserError("give one of --queue-log FILE or --queue-log-table URL")
        if follow and table is not None:
            raise _UserError("--follow reads a file; the table is read once per run")
        if follow and len(files) > 1:
            raise _UserError("--follow follows one file")
        if table is not None:  # before a store is created for nothing
            try:
                check_table(table, table=table_name)
            except QueueLogTableError as error:
                raise _UserError(f"{error}; nothing was recorded") from None
        if not follow:  # before a store is created for nothing
            for name in files:
                _existing(name)
                if is_gzip(name):  # a damaged one is found only by reading it to its end
                    try:
                        collections.deque(read_lines(name), maxlen=0)
                    except QueueLogFileError as error:
                        raise _UserError(f"{error}; nothing was recorded") from None
        local_zone = None
        if source_timezone is not None:
            try:
                local_zone = zone(source_timezone)
            except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
                raise _UserError(
                    f"--source-timezone {source_timezone!r} is not a time zone"
                ) from None
        center = _open_centre(db, directory, read_only=False)
        feed = Feed(center)
        if local_zone is None:
            configured = center.directory.telephony_source_timezone
            local_zone = zone(configured or center.directory.calendar.timezone)
        source = QueueLogFeed(feed, local_zone=local_zone)
        try:
            if table is not None:
                try:
                    for where, text, _ in table_lines(table, table=table_name):
                        source.line(text, where)
                except QueueLogTableError as error:  # the database went away mid-read
                    raise _UserError(f"{error}; nothing was recorded") from None
                source.flush()
            elif follow:
                (followed,) = files
                typer.echo(f"callcore: following {followed} (Ctrl-C to stop)", err=True)
                with contextlib.suppress(KeyboardInterrupt):
                    for where, text in follow_lines(followed, on_idle=source.flush):
                        source.line(text, where)
                source.flush()
            else:
                size = sum(os.path.getsize(name) for name in files)
                done = 0
                with _progress(f"reading {', '.join(files)}", size) as step:
                    for path in files:
                        name = os.path.basename(path)
                        try:
                            for number, text in read_lines(path):
                                source.line(text, f"{name}:{number}")
                                done += len(text.encode())
                                step(min(done, size))
                        except QueueLogFileError as error:
                            raise _UserError(f"{error}; nothing was recorded") from None
                source.flush()
        finally:
            center.close()
        typer.echo(feed.report.summary())


@telephony_app.command("ami")
def telephony_ami(
    db: str = typer.Option(..., "--db", help="Store URL, e.g. sqlite:///centre.db"),
    host: str = typer.Option(..., "--host", help="The Asterisk server."),
    port: int = typer.Option(5038, "--port", min=1, max=65535),
    user: str = typer.Option(..., "--user", help="The AMI user (manager.conf)."),
    secret: str = typer.Option(
        ..., "--secret", envvar="CALLCORE_AMI_SECRET", help="Also CALLCORE_AMI_SECRET."
    ),
    directory: str = typer.Option(None, "--directory", help="Directory TOML file (default: demo)."),
) -> None:
    """Follow Asterisk's manager interface live; reconnects by itself. Ctrl-C stops."""
    import asyncio

    from callcore.adapters.telephony import Feed
    from callcore.adapters.telephony.ami import AmiLoginRefused, AmiSource, AmiTranslator

    with _user_errors():
        _distinct(("--db", db), ("--directory", directory))
        center = _open_centre(db, directory, read_only=False)
        feed = Feed(center)
        source = AmiSource(
            feed,
            host=host,
            port=port,
            username=user,
            secret=secret,
            translator=AmiTranslator(known=center.calls.exists),
        )

        async def run() -> None:
            await source.run(asyncio.Event())

        typer.echo(f"callcore: following AMI at {host}:{port} (Ctrl-C to stop)", err=True)
        try:
            asyncio.run(run())
        except AmiLoginRefused as error:
            raise _UserError(str(error)) from None
        except KeyboardInterrupt:
            pass
        finally:
            center.close()
            typer.echo(feed.report.summary())


@app.callback()
def main_callback() -> None:
    """callcore."""
    import warnings

    from callcore.center import DirectoryNotice

    # the commands that open a store say it themselves, in one line (_open_centre)
    warnings.simplefilter("ignore", DirectoryNotice)


class _UserError(Exception):
    pass


def _user_errors() -> Any:
    """One clear line and a non-zero exit for a user's mistake, never a traceback."""
    import contextlib

    from callcore.adapters.directory_file import DirectoryFileError
    from callcore.adapters.eventlog import EventLogError
    from callcore.adapters.eventstore import (
        CipherKeyError,
        NotAStore,
        StoreUrlError,
        UnreadableEvent,
    )
    from callcore.adapters.safe_output import OutputRefused
    from callcore.center import DirectoryConflict, ReadOnlyCentre
    from callcore.domain.common import DomainError

    @contextlib.contextmanager
    def guard() -> Iterator[None]:
        try:
            yield
        except DirectoryConflict as error:
            typer.echo(
                f"callcore: {error}: record it with `callcore adopt-directory FILE --db URL "
                "--by WHO --reason WHY`, or give it to views as --what-if-directory FILE",
                err=True,
            )
            raise typer.Exit(2) from None
        except (
            ReadOnlyCentre,
            StoreUrlError,
            DirectoryFileError,
            CipherKeyError,
            EventLogError,
            OutputRefused,
            NotAStore,
            UnreadableEvent,
            DomainError,  # a rule refused the command (Forbidden...): nothing recorded
            _UserError,
        ) as error:
            typer.echo(f"callcore: {error}", err=True)
            raise typer.Exit(2) from None
        except IsADirectoryError as error:
            typer.echo(f"callcore: {error.filename} is a directory; give a file", err=True)
            raise typer.Exit(2) from None
        except OSError as error:  # the file system: permissions, a full disk, ...
            where = f"{error.filename}: " if error.filename else ""
            typer.echo(f"callcore: {where}{error.strerror or error}", err=True)
            raise typer.Exit(2) from None
        except UnicodeDecodeError as error:
            typer.echo(f"callcore: a file is not UTF-8 text ({error.reason})", err=True)
            raise typer.Exit(2) from None
        except Exception as error:
            if type(error).__module__.startswith(
                ("eventsourcing", "psycopg", "sqlalchemy", "sqlite3")
            ):
                typer.echo(f"callcore: cannot use the database: {error}".splitlines()[0], err=True)
                raise typer.Exit(2) from None
            raise

    return guard()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
