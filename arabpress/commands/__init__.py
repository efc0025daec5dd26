"""Subcommands of the ``arabpress`` command line, one module each.

Each module has ``add_arguments(parser)`` and ``run(args) -> int`` (the exit status), and
a one-line docstring that is its help text.
"""


class CommandError(Exception):
    """A user-facing error: its message is printed as one line and the status is 2."""
