"""The ``callcore`` command (also ``python -m callcore``)."""

from __future__ import annotations

from collections.abc import Iterator
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
    """Run a scripted business day on the embedded default and print what happened."""
    from callcore.demo import run

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
        "17:30 summary), sending through 'log' or 'webhook:URL' (secret in "
        "CALLCORE_WEBHOOK_SECRET).",
    ),
) -> None:
    """Keep the SQL read models up to date with the store, and run the processes."""
    import os

    from callcore.adapters.readmodels import ProjectionWorker, SqlReadModels
    from callcore.center import CallCenter

    pause = float(os.environ.get("CALLCORE_WORKER_PAUSE", "0"))  # for the crash tests
    with _user_errors():
        center = CallCenter.open(db, directory=directory)
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
    import os

    from callcore.adapters.notifiers import LogNotifier, WebhookNotifier

    if notify == "log":
        import logging

        logging.basicConfig(level=logging.INFO, format="%(message)s")
        notifier: Any = LogNotifier()
    elif notify.startswith("webhook:"):
        notifier = WebhookNotifier(
            notify.removeprefix("webhook:"), os.environ.get("CALLCORE_WEBHOOK_SECRET", "")
        )
    else:
        raise typer.BadParameter(
            "use --notify log or --notify webhook:https://…", param_hint="--notify"
        )
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
    directory: str = typer.Option(None, "--directory", help="Directory TOML file (default: demo)."),
) -> None:
    """Write a store's whole history to an event-log file."""
    from callcore.adapters.clock import SystemClock
    from callcore.adapters.eventlog import Header, export_log
    from callcore.center import CallCenter

    with _user_errors():
        center = CallCenter.open(db, directory=directory)
        header = Header(center.directory.centre, SystemClock().now(), False, center.directory)
        try:
            count = export_log(center.store, out, header)
        except OSError as error:
            raise _UserError(f"cannot write {out}: {error.strerror}") from None
        typer.echo(f"exported {count} events to {out}")


@app.command("import")
def import_command(
    log: str = typer.Argument(..., help="The event-log file to read."),
    db: str = typer.Option(..., "--db", help="An empty store to import into."),
) -> None:
    """Import an event-log file into an empty store: all of it, or nothing."""
    from callcore.adapters.eventlog import import_log
    from callcore.adapters.eventstore import open_store

    with _user_errors():
        store = open_store(db)
        header, count = import_log(_existing(log), store)
        typer.echo(f"imported {count} events of {header.centre} into {db}")


@app.command()
def history(
    source: str = typer.Argument(..., help="An event-log file or a store URL."),
    stream: str = typer.Argument(..., help="The stream, e.g. ticket-T-3F9A0C12B4."),
) -> None:
    """The timeline of one aggregate, event by event."""
    import orjson

    from callcore.adapters.eventlog import event_line, read_log
    from callcore.adapters.eventstore import open_store

    with _user_errors():
        if "://" in source:
            records = list(open_store(source).read_stream(stream))
        else:
            with open(_existing(source), "rb") as file:
                _, events = read_log(file)
                records = [r for r in events if r.stream == stream]
        if not records:
            raise _UserError(f"no stream {stream!r} in {source}")
        for record in records:
            line = orjson.loads(event_line(record))
            typer.echo(
                f"{line['version']:>4}  {line['at']}  {line['actor']:<22} {line['type']}  "
                f"{orjson.dumps(line['data']).decode()}"
            )


def _existing(path: str) -> str:
    import os

    if not os.path.isfile(path):
        raise _UserError(f"no such file: {path}")
    return path


@app.callback()
def main_callback() -> None:
    """callcore."""


class _UserError(Exception):
    pass


def _user_errors() -> Any:
    """One clear line and a non-zero exit for a user's mistake, never a traceback."""
    import contextlib

    from callcore.adapters.directory_file import DirectoryFileError
    from callcore.adapters.eventlog import EventLogError
    from callcore.adapters.eventstore import CipherKeyError, StoreUrlError

    @contextlib.contextmanager
    def guard() -> Iterator[None]:
        try:
            yield
        except (
            StoreUrlError,
            DirectoryFileError,
            CipherKeyError,
            EventLogError,
            _UserError,
        ) as error:
            typer.echo(f"callcore: {error}", err=True)
            raise typer.Exit(2) from None
        except Exception as error:
            if type(error).__module__.startswith(("eventsourcing", "psycopg", "sqlalchemy")):
                typer.echo(f"callcore: cannot use the database: {error}".splitlines()[0], err=True)
                raise typer.Exit(2) from None
            raise

    return guard()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
