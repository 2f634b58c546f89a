"""Shared fixtures: everything is drawn with our own code, nothing comes from ../shared
except the XML schemas (see tests/io)."""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
