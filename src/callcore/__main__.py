"""The ``callcore`` command (also ``python -m callcore``)."""

from __future__ import annotations

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


@app.callback()
def main_callback() -> None:
    """callcore."""


def main() -> None:
    app()


if __name__ == "__main__":
    main()
