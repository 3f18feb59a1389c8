"""Cursor stores: where a subscription keeps the sequence it got to."""

from __future__ import annotations

import os
import tempfile
import threading
from typing import Optional, Protocol, Union, runtime_checkable

__all__ = ["CursorStore", "FileCursorStore", "MemoryCursorStore"]


@runtime_checkable
class CursorStore(Protocol):
    """Where a subscription keeps its position: the sequence of the last
    event the application handled (or a later one the server vouched for).

    Any object with these two methods will do, e.g. one that writes the
    cursor in the same database transaction as the effect of the event.
    """

    def load(self) -> Optional[int]:
        """The stored sequence, or None when nothing was stored yet."""
        ...

    def save(self, sequence: int) -> None:
        """Stores `sequence`, replacing what was stored."""
        ...


class MemoryCursorStore:
    """A cursor store in memory, for tests and for processes that resume
    only across reconnects, not restarts."""

    def __init__(self, sequence: Optional[int] = None):
        self.sequence = sequence

    def load(self) -> Optional[int]:
        return self.sequence

    def save(self, sequence: int) -> None:
        self.sequence = sequence

    def __repr__(self) -> str:
        return f"MemoryCursorStore({self.sequence!r})"


class FileCursorStore:
    """The cursor in a file, as a decimal number and a newline.

    `save` writes a temporary file in the same directory, fsyncs it and
    renames it over the cursor file (then fsyncs the directory), so a crash
    leaves the old cursor or the new one, never a torn or empty file.
    """

    def __init__(self, path: Union[str, "os.PathLike[str]"]):
        self.path = os.fspath(path)
        self._lock = threading.Lock()
        self._saved: Optional[int] = None

    def load(self) -> Optional[int]:
        """The stored sequence; None when the file does not exist.

        Raises ValueError when the file does not hold a sequence number.
        """
        try:
            with open(self.path, "rb") as f:
                text = f.read().decode("ascii", "replace").strip()
        except FileNotFoundError:
            return None
        if not (text.isdigit() and text.isascii()):
            raise ValueError(f"{self.path} does not hold a sequence number: {text[:40]!r}")
        self._saved = int(text)
        return self._saved

    def save(self, sequence: int) -> None:
        if sequence < 0:
            raise ValueError(f"a sequence is not negative: {sequence}")
        with self._lock:
            if sequence == self._saved:
                return
            directory = os.path.dirname(os.path.abspath(self.path))
            fd, tmp = tempfile.mkstemp(
                dir=directory, prefix=f".{os.path.basename(self.path)}.", suffix=".tmp"
            )
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(f"{sequence}\n".encode("ascii"))
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
            _fsync_directory(directory)
            self._saved = sequence

    def __repr__(self) -> str:
        return f"FileCursorStore({self.path!r})"


def _fsync_directory(directory: str) -> None:
    """Makes a rename in `directory` durable (where the platform can)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
