"""Where media files live. Local disk by default; an object store can implement the same four methods."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app


class MediaStorage(Protocol):
    def save(self, key: str, data: bytes) -> None: ...
    def read(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def path_for_serving(self, key: str) -> Path | None: ...


class LocalStorage:
    """Files under a root folder; writes are atomic (temp file + rename), keys never escape the root."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError("media key outside the media root")
        return path

    def save(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        except BaseException:
            # A disk that filled up mid-write leaves no half-written file behind.
            Path(temporary).unlink(missing_ok=True)
            raise

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def path_for_serving(self, key: str) -> Path | None:
        path = self._path(key)
        return path if path.is_file() else None


def get_storage() -> MediaStorage:
    storage = current_app.extensions.get("connector.media")
    if storage is None:
        storage = current_app.extensions["connector.media"] = LocalStorage(current_app.config["MEDIA_ROOT"])
    return storage
