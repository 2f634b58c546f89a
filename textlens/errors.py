"""The one exception type users see.

Errors a user can cause (bad files, bad labels, unknown models) are raised as
``TextlensError`` with a one-line message that names the file and the fix; the CLI
prints the message and exits with code 2 instead of showing a traceback.
"""


class TextlensError(Exception):
    """A user-facing error with a one-line, actionable message."""
