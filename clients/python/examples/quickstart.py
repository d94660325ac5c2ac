"""Quick start: spawn a Threadline server, run a turn, stream its reply, answer an approval.

    python3 examples/quickstart.py [path/to/bin/threadline]

Uses $THREADLINE_BIN, else the argument, else `threadline` on PATH.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a clone without installing

from threadline_client import ThreadBusyError, ThreadlineClient  # noqa: E402


def approve_everything(request):
    print(f"  approval asked ({request['kind']}): {request['summary']} -> approve")
    return "approve"


def main() -> None:
    bin_path = sys.argv[1] if len(sys.argv) > 1 else None
    with ThreadlineClient(bin_path, ["--db", ":memory:"], on_approval=approve_everything) as tl:
        print(f"connected to threadline {tl.server['serverInfo']['version']}")
        thread = tl.thread_create({"title": "quickstart"})["thread"]

        # The echo host replies "echo[N]: TEXT" word by word; `!tool` asks for an approval first.
        turn = tl.thread_start_turn({"threadId": thread["id"], "prompt": "!tool shell ls\nhello from python"})["turn"]
        print("reply: ", end="")
        for event in tl.events(timeout=10):
            if event["kind"] == "item.delta":
                print(event["payload"]["text"], end="", flush=True)
            elif event["kind"] == "turn.completed" and event["turnId"] == turn["id"]:
                print(f"\nturn {event['payload']['turn']['status']}, usage {event['payload']['turn'].get('usage')}")
                break

        # Errors are typed: one exception class per error code, with its `data`.
        tl.thread_start_turn({"threadId": thread["id"], "prompt": "!hang"})
        try:
            tl.thread_start_turn({"threadId": thread["id"], "prompt": "too soon"})
        except ThreadBusyError as error:
            print(f"busy as expected: {error.code} {error.data['runningTurnId']}")
        tl.thread_interrupt({"threadId": thread["id"]})
    print(f"server exited with {tl.process.returncode}")


if __name__ == "__main__":
    main()
