"""Tests of threadline_client against the built server (``npm run build`` first).

Run from clients/python: ``python3 -m unittest discover -s tests -v``. The server is
``$THREADLINE_BIN`` or the repository's bin/threadline.
"""
import importlib.util
import json
import os
import sys
import threading
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from threadline_client import (  # noqa: E402
    InvalidParamsError,
    ServerExitedError,
    ThreadBusyError,
    ThreadlineClient,
    ThreadlineError,
    ThreadNotFoundError,
    TimeoutError as ThreadlineTimeoutError,
)

BIN = os.environ.get("THREADLINE_BIN") or str(HERE.parents[2] / "bin" / "threadline")
SCHEMA = HERE.parents[2] / "schema" / "threadline.schema.json"


def start(**kwargs):
    return ThreadlineClient(BIN, ["--db", ":memory:", *kwargs.pop("args", [])], **kwargs)


class TurnsAndEvents(unittest.TestCase):
    def test_a_turn_streams_its_reply_and_ends_completed(self):
        with start() as tl:
            self.assertEqual(tl.server["serverInfo"]["name"], "threadline")
            thread = tl.thread_create({"title": "py"})["thread"]
            started = tl.thread_start_turn({"threadId": thread["id"], "prompt": "hello there world"})
            turn_id = started["turn"]["id"]
            done = tl.wait_event("turn.completed", predicate=lambda e: e["turnId"] == turn_id)
            self.assertEqual(done["payload"]["turn"]["status"], "completed")
            deltas = "".join(e["payload"]["text"] for e in tl.received_events if e["kind"] == "item.delta")
            self.assertEqual(deltas, "echo[1]: hello there world")
            seqs = [e["seq"] for e in tl.received_events]
            self.assertEqual(seqs, list(range(1, len(seqs) + 1)))
            items = tl.turn_get({"turnId": turn_id})["items"]
            self.assertEqual([i["kind"] for i in items], ["user_message", "agent_message"])

    def test_events_iterates_until_a_timeout(self):
        with start() as tl:
            thread = tl.thread_create()["thread"]
            kinds = [e["kind"] for e in _take(tl.events(timeout=5), 1)]
            self.assertEqual(kinds, ["thread.created"])
            with self.assertRaises(TimeoutError):
                next(tl.events(timeout=0.2))
            self.assertEqual(tl.thread_get({"threadId": thread["id"]})["thread"]["lastSeq"], 1)


class TypedErrors(unittest.TestCase):
    def test_each_error_code_raises_its_class_with_data(self):
        with start() as tl:
            with self.assertRaises(ThreadNotFoundError) as caught:
                tl.thread_get({"threadId": "thr_missing"})
            self.assertEqual(caught.exception.code, -32001)
            self.assertEqual(caught.exception.data, {"kind": "thread_not_found", "threadId": "thr_missing"})

            with self.assertRaises(InvalidParamsError) as caught:
                tl.call("thread/list", {"limit": 0})
            self.assertEqual(caught.exception.data["issues"][0]["path"], ["limit"])

            thread = tl.thread_create()["thread"]
            running = tl.thread_start_turn({"threadId": thread["id"], "prompt": "!hang"})["turn"]
            with self.assertRaises(ThreadBusyError) as caught:
                tl.thread_start_turn({"threadId": thread["id"], "prompt": "again"})
            self.assertEqual(caught.exception.data["runningTurnId"], running["id"])
            self.assertIsInstance(caught.exception, ThreadlineError)

            with self.assertRaises(ThreadlineTimeoutError) as caught:
                tl.turn_wait({"turnId": running["id"], "timeoutMs": 50})
            self.assertEqual(caught.exception.code, -32013)
            self.assertIsInstance(caught.exception, TimeoutError)  # the builtin catches it too

    def test_an_unknown_method_is_method_not_found(self):
        with start() as tl:
            with self.assertRaises(ThreadlineError) as caught:
                tl.call("thread/nope")
            self.assertEqual((caught.exception.code, caught.exception.kind), (-32601, "method_not_found"))


class Approvals(unittest.TestCase):
    def run_tool_turn(self, decision):
        asked = []

        def on_approval(params):
            asked.append(params)
            return decision

        with start(on_approval=on_approval) as tl:
            self.assertTrue(tl.server["capabilities"]["approvals"])
            thread = tl.thread_create()["thread"]
            turn = tl.thread_start_turn({"threadId": thread["id"], "prompt": "!tool shell rm -rf build\ngo"})["turn"]
            tl.wait_event("turn.completed")
            items = tl.turn_get({"turnId": turn["id"]})["items"]
            resolved = [e for e in tl.received_events if e["kind"] == "approval.resolved"]
        return asked, items, resolved

    def test_the_callback_approves(self):
        asked, items, resolved = self.run_tool_turn("approve")
        self.assertEqual((asked[0]["kind"], asked[0]["summary"]), ("shell", "rm -rf build"))
        result = next(i for i in items if i["kind"] == "tool_result")
        self.assertEqual((result["status"], result["detail"]), ("completed", "approved"))
        self.assertEqual((resolved[0]["payload"]["decision"], resolved[0]["payload"]["reason"]), ("approve", "client"))

    def test_the_callback_denies(self):
        _, items, resolved = self.run_tool_turn({"decision": "deny"})
        result = next(i for i in items if i["kind"] == "tool_result")
        self.assertEqual((result["status"], result["detail"]), ("failed", "denied"))
        self.assertEqual(resolved[0]["payload"]["decision"], "deny")


class ServerExits(unittest.TestCase):
    def test_a_server_that_cannot_start_is_reported_with_its_stderr(self):
        began = time.monotonic()
        with self.assertRaises(ServerExitedError) as caught:
            start(args=["--host", "no-such-host"])
        self.assertLess(time.monotonic() - began, 20)
        self.assertEqual(caught.exception.exit_code, 2)
        self.assertIn("no-such-host", caught.exception.stderr[-1])
        self.assertIn("no-such-host", str(caught.exception))

    def test_a_missing_binary_is_a_clear_error(self):
        with self.assertRaises(FileNotFoundError):
            ThreadlineClient(str(HERE / "no-such-threadline"))

    def test_a_server_that_dies_fails_the_pending_call_and_the_event_wait(self):
        tl = start()
        thread = tl.thread_create()["thread"]
        turn = tl.thread_start_turn({"threadId": thread["id"], "prompt": "!hang"})["turn"]
        outcome = {}

        def wait():
            try:
                tl.turn_wait({"turnId": turn["id"]}, timeout=30)
            except BaseException as error:  # noqa: BLE001 - the test inspects it
                outcome["error"] = error

        waiter = threading.Thread(target=wait)
        waiter.start()
        deadline = time.monotonic() + 10
        while not tl._pending and time.monotonic() < deadline:  # turn/wait is on the wire
            time.sleep(0.01)
        tl.process.kill()
        waiter.join(10)
        self.assertFalse(waiter.is_alive())
        self.assertIsInstance(outcome.get("error"), ServerExitedError)
        self.assertEqual(outcome["error"].signal, 9)
        with self.assertRaises(ServerExitedError):
            tl.wait_event("turn.completed", timeout=10)
        with self.assertRaises(ServerExitedError):
            tl.thread_list()
        tl.close()

    def test_the_context_manager_shuts_down_and_the_server_exits_0(self):
        with start() as tl:
            tl.thread_create()
        self.assertEqual(tl.process.returncode, 0)


@unittest.skipUnless(importlib.util.find_spec("jsonschema"), "jsonschema not installed")
class SchemaValidation(unittest.TestCase):
    """The schema keys events on `kind`: a validator reports only the branch of the event's kind."""

    def test_events_validate_and_a_bad_one_gets_one_error(self):
        from jsonschema import Draft202012Validator

        defs = json.loads(SCHEMA.read_text())["$defs"]
        validator = Draft202012Validator({"$ref": "#/$defs/ThreadEvent", "$defs": defs})
        with start() as tl:
            thread = tl.thread_create()["thread"]
            tl.thread_start_turn({"threadId": thread["id"], "prompt": "hi"})
            tl.wait_event("turn.completed")
            for event in tl.received_events:
                self.assertEqual(list(validator.iter_errors(event)), [], event["kind"])
            delta = dict(next(e for e in tl.received_events if e["kind"] == "item.delta"))
        delta["payload"] = {"itemId": delta["payload"]["itemId"]}
        errors = list(validator.iter_errors(delta))
        self.assertEqual([e.message for e in errors], ["'text' is a required property"])


class Compatibility(unittest.TestCase):
    def test_the_package_and_example_parse_as_python_3_9(self):
        import ast

        files = sorted((HERE.parent / "threadline_client").glob("*.py")) + [HERE.parent / "examples" / "quickstart.py"]
        for path in files:
            ast.parse(path.read_text(encoding="utf-8"), str(path), feature_version=(3, 9))


    def test_every_generated_typeddict_resolves_its_annotations(self):
        import typing

        from threadline_client import types

        checked = 0
        for name in dir(types):
            value = getattr(types, name)
            if isinstance(value, type) and hasattr(value, "__total__"):
                typing.get_type_hints(value)  # raises on a bad annotation (e.g. Literal[true])
                checked += 1
        self.assertGreater(checked, 80)


def _take(iterator, n):
    out = []
    for item in iterator:
        out.append(item)
        if len(out) == n:
            break
    return out


if __name__ == "__main__":
    unittest.main()
