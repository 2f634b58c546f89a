"""The HTTP front door: ``textlens serve`` (FastAPI + uvicorn) and the web page it serves.

    from textlens.serve import ServeConfig, create_app
    app = create_app(ServeConfig(api_key="secret", max_pages=50))

Needs the ``serve`` extra (``pip install textlens[serve]``).
"""

from textlens.serve.app import create_app
from textlens.serve.config import ServeConfig

__all__ = ["ServeConfig", "create_app"]
