"""Captures one real request/response exchange per method from a spawned server (echo host,
in-memory database) into scripts/protocol-examples.json, the examples of docs/PROTOCOL.md.

    npm run build && python3 scripts/capture-protocol-examples.py

Then `npm run docs:write`. Ids and times differ on every run: recapture only when a shape changes.
"""
import json, subprocess, sys, threading, queue, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "bin" / "threadline")
OUT = ROOT / "scripts" / "protocol-examples.json"
METHODS = ["initialize", "shutdown", "thread/create", "thread/get", "thread/list", "thread/update", "thread/archive",
           "thread/unarchive", "thread/delete", "thread/startTurn", "thread/editLastTurn", "thread/drain",
           "thread/interrupt", "thread/cancelQueued", "thread/events", "thread/subscribe", "thread/unsubscribe",
           "turn/get", "turn/wait", "routing/getRules", "routing/setRules", "usage/get",
           "thread/fork", "thread/revert", "thread/unrevert", "thread/updateQueued", "thread/reorderQueued",
           "thread/compact", "thread/turns", "turn/items", "thread/search", "thread/export", "thread/import", "usage/report"]
# Captured by hand from a run with --mcp-config (this script runs without one): kept from the file.
KEPT = ["mcp/servers"]
p = subprocess.Popen([BIN, 'serve', '--db', ':memory:', '--framing', 'ndjson'], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
q = queue.Queue()
def reader():
    for line in p.stdout: q.put(json.loads(line))
threading.Thread(target=reader, daemon=True).start()
nid = [0]
out = {}
def req(method, params=None, key=None, approve=None):
    nid[0] += 1
    m = {"jsonrpc": "2.0", "id": nid[0], "method": method}
    if params is not None: m["params"] = params
    p.stdin.write((json.dumps(m) + "\n").encode()); p.stdin.flush()
    ex = [["->", m]]
    while True:
        r = q.get(timeout=10)
        if r.get("method") == "approval/request":
            ex.append(["<-", r]); a = {"jsonrpc": "2.0", "id": r["id"], "result": {"decision": "approve"}}
            p.stdin.write((json.dumps(a) + "\n").encode()); p.stdin.flush(); ex.append(["->", a]); continue
        ex.append(["<-", r])
        if r.get("id") == nid[0] and "method" not in r: break
    out.setdefault(key or method, ex)
    return r.get("result"), r.get("error")
def drain(t=0.3):
    evs=[]
    end=time.time()+t
    while time.time()<end:
        try: evs.append(q.get(timeout=0.05))
        except queue.Empty: pass
    return evs
req("initialize", {"protocolVersion": 1, "clientInfo": {"name": "docs"}, "capabilities": {"approvals": True}})
t = req("thread/create", {"title": "Docs"})[0]["thread"]; tid = t["id"]
req("thread/get", {"threadId": tid, "includeTurns": False})
req("thread/list", {"limit": 1})
req("thread/update", {"threadId": tid, "model": "gpt-4o"})
st = req("thread/startTurn", {"threadId": tid, "prompt": "hello"})[0]
turn = st["turn"]["id"]
w = req("turn/wait", {"turnId": turn})
events_after = drain()
req("turn/get", {"turnId": turn})
req("thread/events", {"threadId": tid, "afterSeq": 0, "limit": 2})
req("thread/subscribe", {"threadId": tid, "afterSeq": 9})
req("thread/unsubscribe", {"threadId": tid})
h = req("thread/startTurn", {"threadId": tid, "prompt": "!hang"}, key="hang")[0]
drain()
req("thread/startTurn", {"threadId": tid, "prompt": "later", "delivery": "queue"}, key="thread/startTurn#queue")
drain()
q2 = req("thread/startTurn", {"threadId": tid, "prompt": "even later", "delivery": "queue"}, key="queue2")[0]
drain()
req("thread/cancelQueued", {"threadId": tid, "admissionId": q2["queued"]["id"]})
drain()
req("thread/interrupt", {"threadId": tid, "keepQueued": True})
drain()
req("thread/drain", {"threadId": tid})
req("turn/wait", {"turnId": "turn_0193a3f0-0000-7000-8000-000000000000", "timeoutMs": 100}, key="turn/wait#missing")
drain(0.5)
edited = req("thread/editLastTurn", {"threadId": tid, "content": "hello again"})[0]["turn"]["id"]
drain(0.5)
req("thread/turns", {"threadId": tid, "limit": 2})
req("turn/items", {"turnId": turn, "limit": 1})
req("thread/fork", {"threadId": tid, "depthFromTail": 0, "title": "Docs, edited"})
req("thread/revert", {"threadId": tid, "beforeTurnId": edited})
req("thread/unrevert", {"threadId": tid})
req("thread/compact", {"threadId": tid, "instructions": "keep the greeting"})
drain(0.5)
req("thread/search", {"query": "hello", "limit": 2})
t3 = req("thread/import", {"title": "Imported", "messages": [{"role": "user", "text": "hi"}, {"role": "assistant", "text": "hello"}]}, key="import-messages")[0]["thread"]["id"]
doc = req("thread/export", {"threadId": t3})[0]["document"]
req("thread/import", {"document": doc})
req("usage/report", {"groupBy": "model", "since": "2026-01-01T00:00:00Z"})
t2 = req("thread/create", {"title": "Queue"}, key="create2")[0]["thread"]["id"]
req("thread/startTurn", {"threadId": t2, "prompt": "!hang"}, key="hang2")
qa = req("thread/startTurn", {"threadId": t2, "prompt": "first", "delivery": "queue"}, key="qa")[0]["queued"]["id"]
qb = req("thread/startTurn", {"threadId": t2, "prompt": "second", "delivery": "queue"}, key="qb")[0]["queued"]["id"]
drain()
req("thread/updateQueued", {"threadId": t2, "admissionId": qa, "prompt": "first, reworded"})
req("thread/reorderQueued", {"threadId": t2, "admissionIds": [qb, qa]})
req("thread/interrupt", {"threadId": t2}, key="interrupt2")
drain()
req("thread/archive", {"threadId": tid})
req("thread/startTurn", {"threadId": tid, "prompt": "x"}, key="thread/startTurn#archived")
req("thread/unarchive", {"threadId": tid})
req("routing/setRules", {"rules": [{"intent": "code", "model": "gpt-4.1"}]})
req("routing/getRules", {})
req("usage/get", {"threadId": tid})
req("thread/delete", {"threadId": tid})
req("shutdown")
examples = {}
for key, ex in out.items():
    if key not in METHODS:
        continue
    request = ex[0][1]
    response = ex[-1][1]
    thread = (request.get("params") or {}).get("threadId", tid)
    events = [[m["params"]["seq"], m["params"]["kind"]] for d, m in ex[1:-1] if m.get("method") == "thread/event" and m["params"]["threadId"] == thread]
    examples[key] = {"request": request, "events": events, "response": response}
missing = [m for m in METHODS if m not in examples]
assert not missing, missing
kept = json.loads(OUT.read_text())
with open(OUT, "w") as f:
    json.dump({**{m: examples[m] for m in METHODS}, **{m: kept[m] for m in KEPT}}, f, indent=1, ensure_ascii=False)
    f.write("\n")
print("wrote", OUT)
