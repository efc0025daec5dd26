"""The ``arabpress`` command: demo, crawl, extract, export, replay, reextract, schedule.

Errors a user can cause (a missing file, a bad date, an unreachable server) end with
one line on stderr and a non-zero status, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from types import ModuleType

from arabpress.commands import CommandError

# Subcommand name -> module in arabpress.commands.
COMMANDS = {
    "demo": "demo",
    "crawl": "crawl",
    "extract": "extract",
    "export": "export",
    "replay": "replay",
    "reextract": "reextract",
    "schedule": "schedule",
}
# Scrapy finds a project's settings through scrapy.cfg in the working folder or above, or
# through this variable: set, the commands work from any folder and from an installed wheel.
SETTINGS_ENVVAR = "SCRAPY_SETTINGS_MODULE"
SETTINGS_MODULE = "arabpress.settings"


def load_command(module_name: str) -> ModuleType | None:
    """Import a subcommand module, or None when this installation lacks it."""
    try:
        return importlib.import_module(f"arabpress.commands.{module_name}")
    except ModuleNotFoundError as error:
        if error.name == f"arabpress.commands.{module_name}":
            return None
        raise


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every available subcommand."""
    parser = argparse.ArgumentParser(prog="arabpress", description="Crawl Arab Press articles into MongoDB.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = load_command(module_name)
        if module is None:
            continue
        help_text = (module.__doc__ or name).strip().splitlines()[0]
        command_parser = subparsers.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command_parser)
        command_parser.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``arabpress`` command line and return its exit status."""
    os.environ.setdefault(SETTINGS_ENVVAR, SETTINGS_MODULE)
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except CommandError as error:
        print(f"arabpress {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"arabpress {args.command}: interrupted", file=sys.stderr)
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
