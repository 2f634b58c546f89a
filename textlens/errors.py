"""The one exception type users see, and the CLI's exit codes.

Errors a user can cause (bad files, bad labels, unknown models) are raised as
``TextlensError`` with a one-line message that names the file and the fix; the CLI
prints the message and exits with ``EXIT_ERROR`` instead of showing a traceback.

A command that takes several inputs reads every input it can: each bad one gets its
one-line error on stderr, and the exit code is ``EXIT_SOME_FAILED`` when some inputs
failed and the others were done, ``EXIT_ERROR`` when nothing could be done.
"""

EXIT_OK = 0
EXIT_ERROR = 2  # a usage error, or every input failed: nothing was done
EXIT_SOME_FAILED = 3  # some inputs failed (each named on stderr); the others were done


class TextlensError(Exception):
    """A user-facing error with a one-line, actionable message."""
