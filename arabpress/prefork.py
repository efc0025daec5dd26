"""Imported by the fork server of ``arabpress reextract``'s worker processes, before it forks any.

It runs the extraction once on sample pages (arabpress.reextract.warm_up), so that every
worker forked from the server starts with the project imported and warm. The server ignores
SIGTERM, as the workers do: a stop signal sent to the whole process group is the command's
to handle, and the server ends with the command (when the last process using it is gone).
"""

from __future__ import annotations

import signal

from arabpress.reextract import warm_up

signal.signal(signal.SIGTERM, signal.SIG_IGN)
warm_up({})
