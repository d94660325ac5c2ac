"""ThreadlineClient: spawns ``threadline serve --framing ndjson`` and talks JSON-RPC to it.

One reader thread parses the server's stdout (one JSON message per line) and routes responses
to the waiting call, ``thread/event`` notifications to an event queue and ``approval/request``
to the approval callback (on a thread of its own, so the callback may call the server). Another
thread keeps the tail of stderr, so a server that exits early is reported with what it said.
"""
from __future__ import annotations

import collections
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from typing import Any, Callable, Deque, Dict, Iterator, List, Optional, Sequence

from ._base import ServerExitedError, ThreadlineError
from .errors import error_from_response
from .methods import GeneratedMethods
from .types import PROTOCOL_VERSION, ApprovalRequestParams, InitializeResult, ThreadEvent

#: Decides an approval: return "approve" or "deny" (or {"decision": ...}).
ApprovalHandler = Callable[[ApprovalRequestParams], Any]

_STDERR_TAIL = 50
_CLOSED = object()  # pushed into the event queue when the connection ends


class _Pending:
    __slots__ = ("done", "result", "error")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Any = None
        self.error: Optional[BaseException] = None


class ThreadlineClient(GeneratedMethods):
    """A connection to a spawned Threadline server. Use it as a context manager::

        with ThreadlineClient(args=["--db", ":memory:"]) as tl:
            thread = tl.thread_create({"title": "demo"})["thread"]

    ``bin`` is the ``threadline`` executable (default: ``$THREADLINE_BIN``, else ``threadline``
    on PATH); ``args`` are extra ``serve`` options. ``on_approval`` answers ``approval/request``
    (declaring the ``approvals`` capability); without it the thread's ``autoApprove`` decides.
    ``on_stderr`` receives each line the server logs. Raises ServerExitedError when the server
    exits before answering ``initialize``.
    """

    def __init__(
        self,
        bin: Optional[str] = None,
        args: Sequence[str] = (),
        *,
        command: Optional[Sequence[str]] = None,
        on_approval: Optional[ApprovalHandler] = None,
        on_stderr: Optional[Callable[[str], None]] = None,
        cwd: Optional[str] = None,
        env: Optional[Dict[str, str]] = None,
        timeout: float = 30.0,
        client_name: str = "threadline_client",
    ) -> None:
        self.timeout = timeout
        self._on_approval = on_approval
        self._on_stderr = on_stderr
        self._pending: Dict[int, _Pending] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._next_id = 0
        self._events: "queue.Queue[Any]" = queue.Queue()
        self._stderr: Deque[str] = collections.deque(maxlen=_STDERR_TAIL)
        self._exited: Optional[ServerExitedError] = None
        self._closing = False
        #: Every event received, in arrival order (wait_event consumes the queue, not this).
        self.received_events: List[ThreadEvent] = []
        argv = list(command) if command is not None else [_find_bin(bin), "serve", *args]
        if "--framing" not in argv:
            argv += ["--framing", "ndjson"]
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=env,
        )
        self._stderr_thread = threading.Thread(target=self._read_stderr, name="threadline-stderr", daemon=True)
        self._stderr_thread.start()
        self._reader = threading.Thread(target=self._read_stdout, name="threadline-reader", daemon=True)
        self._reader.start()
        try:
            self.server: InitializeResult = self.call(
                "initialize",
                {
                    "protocolVersion": PROTOCOL_VERSION,
                    "clientInfo": {"name": client_name},
                    "capabilities": {"approvals": on_approval is not None},
                },
            )
        except BaseException:
            self._kill()
            raise

    # -- calls -------------------------------------------------------------------------------

    def call(self, method: str, params: Any = None, *, timeout: Optional[float] = None) -> Any:
        """Sends a request and waits for its result; raises the typed ThreadlineError subclass
        of an error answer, ServerExitedError if the server is gone, TimeoutError after
        ``timeout`` seconds (default: the client's)."""
        pending = _Pending()
        with self._lock:
            if self._exited is not None:
                raise self._exited
            self._next_id += 1
            request_id = self._next_id
            self._pending[request_id] = pending
        message: Dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        try:
            self._send(message)
        except OSError:
            pass  # the reader notices the exit and fails `pending`
        wait = self.timeout if timeout is None else timeout
        if not pending.done.wait(wait):
            with self._lock:
                self._pending.pop(request_id, None)
            raise TimeoutError(f"no answer to {method} within {wait} s")
        if pending.error is not None:
            raise pending.error
        return pending.result

    def notify(self, method: str, params: Any = None) -> None:
        """Sends a notification (no answer)."""
        message: Dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self._send(message)

    # -- events ------------------------------------------------------------------------------

    def events(self, timeout: Optional[float] = None) -> Iterator[ThreadEvent]:
        """Yields ``thread/event`` params as they arrive, until the connection closes (raising
        ServerExitedError if the server died rather than being closed). With ``timeout``,
        raises TimeoutError when no event comes within that many seconds."""
        while True:
            event = self._next_event(timeout)
            if event is None:
                return
            yield event

    def wait_event(
        self,
        kind: str,
        timeout: float = 10.0,
        predicate: Optional[Callable[[ThreadEvent], bool]] = None,
    ) -> ThreadEvent:
        """Consumes events until one of ``kind`` (and matching ``predicate``) arrives and returns
        it; events before it are skipped (all stay in ``received_events``). Raises TimeoutError
        after ``timeout`` seconds, ServerExitedError if the connection ends first."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {kind} event within {timeout} s")
            event = self._next_event(left)
            if event is None:
                raise self._exited or ServerExitedError(self.process.poll(), None, self.stderr)
            if event["kind"] == kind and (predicate is None or predicate(event)):
                return event

    def _next_event(self, timeout: Optional[float]) -> Optional[ThreadEvent]:
        try:
            item = self._events.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no event within {timeout} s") from None
        if item is _CLOSED:
            self._events.put(_CLOSED)  # later waits end too
            if self._exited is not None and not self._closing:
                raise self._exited
            return None
        return item

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def stderr(self) -> List[str]:
        """The last lines the server wrote to stderr."""
        return list(self._stderr)

    def close(self, timeout: float = 10.0) -> Optional[int]:
        """``shutdown`` then ``exit``; waits for the process (kills it after ``timeout``) and
        returns its exit code. Safe to call twice."""
        self._closing = True
        if self.process.poll() is None and self._exited is None:
            try:
                self.call("shutdown", timeout=timeout)
                self.notify("exit")
            except (ThreadlineError, ServerExitedError, TimeoutError, OSError):
                pass
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._kill()
            return self.process.returncode
        finally:
            self._reader.join(timeout)
            self._close_streams()

    def __enter__(self) -> "ThreadlineClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- internals ---------------------------------------------------------------------------

    def _send(self, message: Dict[str, Any]) -> None:
        line = (json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8")
        with self._write_lock:
            assert self.process.stdin is not None
            self.process.stdin.write(line)
            self.process.stdin.flush()

    def _kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._reader.join(5.0)
        self._close_streams()

    def _close_streams(self) -> None:
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass  # a broken pipe on flush: the process is gone anyway

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for raw in self.process.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self._stderr.append(line)
            if self._on_stderr is not None:
                try:
                    self._on_stderr(line)
                except Exception:
                    pass  # a failing log callback must not stop the reader

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            try:
                message = json.loads(raw)
            except ValueError:
                continue  # not ours to judge; the server writes only JSON lines
            if isinstance(message, dict):
                self._dispatch(message)
        self._on_closed()

    def _dispatch(self, message: Dict[str, Any]) -> None:
        method = message.get("method")
        if method is None:
            with self._lock:
                pending = self._pending.pop(message.get("id"), None)  # type: ignore[arg-type]
            if pending is None:
                return
            if "error" in message:
                pending.error = error_from_response(message["error"])
            else:
                pending.result = message.get("result")
            pending.done.set()
        elif method == "thread/event":
            self.received_events.append(message["params"])
            self._events.put(message["params"])
        elif method == "approval/request" and "id" in message:
            threading.Thread(target=self._answer_approval, args=(message,), daemon=True).start()
        elif "id" in message:
            self._send_quietly({"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32601, "message": f"Unknown method {method}"}})
        # other notifications ($/cancelRequest…) need nothing: a late answer is ignored

    def _answer_approval(self, message: Dict[str, Any]) -> None:
        try:
            decision = self._on_approval(message["params"]) if self._on_approval else "deny"
            result = decision if isinstance(decision, dict) else {"decision": decision}
            self._send_quietly({"jsonrpc": "2.0", "id": message["id"], "result": result})
        except Exception as error:  # the callback failed: say so, the server denies
            self._send_quietly({"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32603, "message": str(error)}})

    def _send_quietly(self, message: Dict[str, Any]) -> None:
        try:
            self._send(message)
        except (OSError, ValueError):
            pass  # the server is gone; the reader reports it

    def _on_closed(self) -> None:
        code = self.process.wait()
        self._stderr_thread.join(2.0)  # its last line is usually the reason
        exited = ServerExitedError(code if code >= 0 else None, -code if code < 0 else None, list(self._stderr))
        with self._lock:
            self._exited = exited
            pending, self._pending = list(self._pending.values()), {}
        for p in pending:
            p.error = exited
            p.done.set()
        self._events.put(_CLOSED)


def _find_bin(bin: Optional[str]) -> str:
    found = bin or os.environ.get("THREADLINE_BIN") or shutil.which("threadline")
    if not found:
        raise FileNotFoundError("threadline not found: pass bin=..., set THREADLINE_BIN, or put threadline on PATH")
    return found
