"""A model given outright, or loaded on first use: the scene detector and recognizer of ``read``
load on the first photo, so reading documents costs neither their load time nor their memory."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class OnFirstUse:
    """Holds a model (anything with ``predict``) or a callable that loads one; ``get()`` loads it
    once, whichever thread asks first."""

    def __init__(self, model_or_loader: Any | Callable[[], Any]) -> None:
        self._value = model_or_loader
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return hasattr(self._value, "predict")

    def get(self) -> Any:
        if not self.loaded:
            with self._lock:
                if not self.loaded:
                    self._value = self._value()
        return self._value
