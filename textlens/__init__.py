"""textlens: find and read text in images, and train your own readers."""

__version__ = "0.1.0"

from textlens.errors import TextlensError  # noqa: E402

__all__ = ["TextlensError", "__version__"]
