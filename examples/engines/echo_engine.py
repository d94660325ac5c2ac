#!/usr/bin/env python3
"""A Threadline engine in Python, speaking the NDJSON engine protocol (docs/engine-protocol.md).

It behaves like the built-in echo host: it remembers the user messages of its conversation and
answers each one `echo[N]: TEXT`, N being how many user messages it holds, streamed word by word.
Run it with:

    threadline serve --host exec --host-option command="python3 examples/engines/echo_engine.py"

Lines of a prompt starting with `!` script it (for tests): `!sleep MS` waits before replying,
`!tool KIND SUMMARY` asks for approval first, `!fail MESSAGE` fails the turn, `!crash CODE` writes
to stderr and exits with CODE, `!garbage` writes a line that is not JSON.
"""
import json
import queue
import sys
import threading
import time

inbox = queue.Queue()


def read_stdin():
    """Threadline's messages arrive on stdin; EOF means Threadline is gone: exit."""
    for line in sys.stdin:
        if line.strip():
            inbox.put(json.loads(line))
    inbox.put(None)


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def parse(prompt):
    """Splits a prompt into its text (whitespace normalized) and its directives."""
    text, directives = [], {}
    for line in prompt.splitlines():
        words = line.strip().split(None, 2)
        if words and words[0] in ("!sleep", "!crash") and len(words) == 2 and words[1].isdigit():
            directives[words[0]] = int(words[1])
        elif words and words[0] == "!tool" and len(words) == 3:
            directives["!tool"] = (words[1], words[2])
        elif words and words[0] == "!fail" and len(words) >= 2:
            directives["!fail"] = line.strip()[len("!fail"):].strip()
        elif words == ["!garbage"]:
            directives["!garbage"] = True
        else:
            text.append(line)
    return " ".join(" ".join(text).split()), directives


class Interrupted(Exception):
    pass


class Engine:
    def __init__(self, history):
        self.messages = [parse(h["text"])[0] for h in history if h["kind"] == "user_message"]
        self.turn_id = None
        self.steers = []

    def wait(self, seconds=0.0, until=None):
        """Handles Threadline's messages for up to `seconds` (or until `until(message)` matches one)."""
        deadline = time.monotonic() + seconds
        while True:
            timeout = None if until else deadline - time.monotonic()
            try:
                message = inbox.get(timeout=timeout) if timeout is None or timeout > 0 else inbox.get_nowait()
            except queue.Empty:
                return None
            if message is None:
                sys.exit(0)
            if until and until(message):
                return message
            self.handle(message)

    def handle(self, message):
        kind = message["type"]
        if kind == "turn.interrupt" and message["turnId"] == self.turn_id:
            raise Interrupted()
        if kind == "turn.steer" and message["turnId"] == self.turn_id:
            text = parse(message["text"])[0]
            self.messages.append(text)
            self.steers.append((text, len(self.messages)))
        elif kind == "truncate" and self.messages:
            self.messages.pop()
        elif kind == "turn.start":
            self.run(message["turnId"], message["input"]["prompt"])

    def emit(self, event):
        send(dict(event, turnId=self.turn_id))

    def reply(self, key, n, text):
        words = ["echo[%d]:" % n] + text.split()
        self.emit({"type": "item.started", "key": key, "kind": "agent_message"})
        for i, word in enumerate(words):
            self.wait(0)  # an interrupt or steer that arrived meanwhile is seen here
            self.emit({"type": "item.delta", "key": key, "text": word if i == 0 else " " + word})
        self.emit({"type": "item.completed", "key": key})
        return len(words)

    def run(self, turn_id, prompt):
        text, directives = parse(prompt)
        self.messages.append(text)
        n = len(self.messages)  # steers that arrive meanwhile are numbered after this message
        self.turn_id, self.steers = turn_id, []
        try:
            if "!crash" in directives:
                sys.stderr.write("echo_engine: crashing on purpose\n")
                sys.stderr.flush()
                sys.exit(directives["!crash"])
            if "!garbage" in directives:
                sys.stdout.write("this is not json\n")
                sys.stdout.flush()
            if "!sleep" in directives:
                self.wait(directives["!sleep"] / 1000.0)
            if "!tool" in directives:
                self.tool(*directives["!tool"])
            if "!fail" in directives:
                self.emit({"type": "turn.failed", "error": directives["!fail"]})
                return
            words = self.reply("reply", n, text)
            for i, (steer, n) in enumerate(self.steers):
                words += self.reply("steer-%d" % (i + 1), n, steer)
            history_words = sum(len(m.split()) for m in self.messages)
            self.emit({"type": "usage", "usage": {"inputTokens": history_words, "outputTokens": words}})
            self.emit({"type": "turn.end"})
        except Interrupted:
            pass  # Threadline already recorded the turn interrupted
        finally:
            self.turn_id = None

    def tool(self, kind, summary):
        self.emit({"type": "item.started", "key": "tool", "kind": "tool_call", "text": summary})
        self.emit({"type": "approval.request", "requestId": "r1", "itemKey": "tool", "kind": kind, "summary": summary, "detail": summary})
        decision = self.wait(until=lambda m: m["type"] == "approval.decision" and m["requestId"] == "r1")["decision"]
        self.emit({"type": "item.completed", "key": "tool"})
        self.emit({"type": "item.started", "key": "tool-result", "kind": "tool_result"})
        status = "completed" if decision == "approve" else "failed"
        self.emit({"type": "item.completed", "key": "tool-result", "status": status, "text": "approved" if decision == "approve" else "denied"})


def main():
    threading.Thread(target=read_stdin, daemon=True).start()
    load = inbox.get()
    if load is None:
        return
    engine = Engine(load["history"])
    send({"type": "ready"})
    while True:
        message = inbox.get()
        if message is None:
            return
        try:
            engine.handle(message)
        except Interrupted:
            pass


if __name__ == "__main__":
    main()
