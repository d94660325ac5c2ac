"""Exception bases: the generated per-code classes in errors.py derive from ThreadlineError."""
from __future__ import annotations

from typing import Any, Dict, Optional, Sequence


class ThreadlineError(Exception):
    """A JSON-RPC error answered by the server: ``code``, ``message`` and ``data`` (``data['kind']``
    names the error in snake_case). Catch a subclass (``ThreadBusyError``…) for one error row."""

    code: int = 0
    error_name: str = "Unknown"
    kind: str = "unknown"

    def __init__(self, message: str, code: int = 0, data: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.data: Dict[str, Any] = dict(data or {})
        self.kind = str(self.data.get("kind", type(self).kind))

    def __str__(self) -> str:
        return f"{self.message} (code {self.code}, {self.kind})"


class ServerExitedError(Exception):
    """The server process ended (or could not start): every pending call and event wait raises it.

    ``exit_code`` is the process's exit status (None when it was killed by a signal, then
    ``signal`` is set) and ``stderr`` the last lines it wrote — usually one that says why."""

    def __init__(self, exit_code: Optional[int], signal: Optional[int], stderr: Sequence[str]) -> None:
        self.exit_code = exit_code
        self.signal = signal
        self.stderr = list(stderr)
        how = f"exit code {exit_code}" if signal is None else f"signal {signal}"
        last = f": {self.stderr[-1]}" if self.stderr else ""
        super().__init__(f"threadline server exited ({how}){last}")
