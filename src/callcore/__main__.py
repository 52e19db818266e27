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
) -> None:
    """Keep the SQL read models (the SLA clocks) up to date with the store."""
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
        folded = runner.rebuild() if rebuild else runner.run(follow=follow)
        typer.echo(f"folded {folded} events; the read models are at position {runner.position}")


@app.callback()
def main_callback() -> None:
    """callcore."""


class _UserError(Exception):
    pass


def _user_errors() -> Any:
    """One clear line and a non-zero exit for a user's mistake, never a traceback."""
    import contextlib

    from callcore.adapters.directory_file import DirectoryFileError
    from callcore.adapters.eventstore import CipherKeyError, StoreUrlError

    @contextlib.contextmanager
    def guard() -> Iterator[None]:
        try:
            yield
        except (StoreUrlError, DirectoryFileError, CipherKeyError) as error:
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
