import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertNoNulls, at, newAdmission, newItem, newThread, seedTurn, wire, type OpenStore } from './fixtures.js';

export function threadContract(open: OpenStore): void {
  describe('threads', () => {
    test('a thread inserted with only the required fields reads back with the optional ones omitted', async (t) => {
      const { store } = await open(t);
      await store.write((tx) => tx.threads.insert(newThread('thr_min', { now: at(5) })));
      const found = await store.read((tx) => tx.threads.find('thr_min'));
      assertNoNulls(found, 'thread');
      assert.deepStrictEqual(wire(found), {
        id: 'thr_min',
        title: 'title of thr_min',
        status: 'idle',
        archived: false,
        autoApprove: false,
        trustMode: false,
        metadata: {},
        createdAt: at(5),
        updatedAt: at(5),
        lastSeq: 0,
        queuedCount: 0,
      });
    });

    test('every field of a thread round-trips, metadata as given', async (t) => {
      const { store } = await open(t);
      const metadata = { nested: { list: [1, 'two', null, true] }, 'ключ': 'значение ✓' };
      await store.write((tx) =>
        tx.threads.insert(
          newThread('thr_full', { model: 'm-1', mode: 'plan', cwd: '/w', systemPrompt: 'be brief', autoApprove: true, trustMode: true, metadata }),
        ),
      );
      const found = await store.read((tx) => tx.threads.find('thr_full'));
      assert.ok(found);
      assert.deepStrictEqual(
        { model: found.model, mode: found.mode, cwd: found.cwd, systemPrompt: found.systemPrompt, metadata: found.metadata },
        { model: 'm-1', mode: 'plan', cwd: '/w', systemPrompt: 'be brief', metadata },
      );
      assert.equal(found.autoApprove, true);
      assert.equal(found.trustMode, true);
      assert.deepStrictEqual(await store.read((tx) => tx.threads.runState('thr_full')), { runningTurnId: null, archived: false, historyRev: 0 });
    });

    test('an unknown thread is undefined to find, runState and lastSeq', async (t) => {
      const { store } = await open(t);
      await store.read(async (tx) => {
        assert.equal(await tx.threads.find('thr_none'), undefined);
        assert.equal(await tx.threads.runState('thr_none'), undefined);
        assert.equal(await tx.threads.lastSeq('thr_none'), undefined);
      });
    });

    test('updateSettings replaces the settings (null clears a field) and moves updatedAt only', async (t) => {
      const { store } = await open(t);
      await store.write((tx) => tx.threads.insert(newThread('thr_u', { model: 'old', mode: 'plan', systemPrompt: 'sp', cwd: '/keep' })));
      await store.write((tx) =>
        tx.threads.updateSettings(
          'thr_u',
          { title: 'new title', model: 'new', mode: null, systemPrompt: null, autoApprove: true, trustMode: false, metadata: { k: 1 } },
          at(50),
        ),
      );
      const found = await store.read((tx) => tx.threads.find('thr_u'));
      assertNoNulls(found, 'thread');
      assert.deepStrictEqual(wire(found), {
        ...wire(newThreadRecord('thr_u')),
        title: 'new title',
        model: 'new',
        cwd: '/keep',
        autoApprove: true,
        metadata: { k: 1 },
        updatedAt: at(50),
      });
    });

    test('setArchived moves a thread between the archived and unarchived lists', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_a'));
        await tx.threads.insert(newThread('thr_b'));
        await tx.threads.setArchived('thr_a', true, at(60));
      });
      await store.read(async (tx) => {
        assert.deepStrictEqual(ids(await tx.threads.list(false, 10)), ['thr_b']);
        assert.deepStrictEqual(ids(await tx.threads.list(true, 10)), ['thr_a']);
        assert.equal((await tx.threads.find('thr_a'))?.updatedAt, at(60));
        assert.deepStrictEqual(await tx.threads.runState('thr_a'), { runningTurnId: null, archived: true, historyRev: 0 });
      });
      await store.write((tx) => tx.threads.setArchived('thr_a', false, at(61)));
      assert.deepStrictEqual(ids(await store.read((tx) => tx.threads.list(true, 10))), []);
    });

    test('list pages newest first by updatedAt then id, continuing after the cursor key', async (t) => {
      const { store } = await open(t);
      // Inserted out of order, three sharing one updatedAt: the id breaks the tie, descending.
      const times: Record<string, number> = { thr_c: 3, thr_a: 1, thr_e: 3, thr_b: 3, thr_d: 2 };
      await store.write(async (tx) => {
        for (const [id, s] of Object.entries(times)) await tx.threads.insert(newThread(id, { now: at(s) }));
        await tx.threads.insert(newThread('thr_archived', { now: at(9) }));
        await tx.threads.setArchived('thr_archived', true, at(9));
      });
      const pages: string[][] = [];
      let after: { updatedAt: string; id: string } | undefined;
      for (let guard = 0; guard < 10; guard++) {
        const page = await store.read((tx) => tx.threads.list(false, 2, after));
        pages.push(ids(page));
        const last = page[page.length - 1];
        if (!last) break;
        after = { updatedAt: last.updatedAt, id: last.id };
      }
      assert.deepStrictEqual(pages, [['thr_e', 'thr_c'], ['thr_b', 'thr_d'], ['thr_a'], []]);
    });

    test('setRunningTurn makes the thread running; clearRunningTurn of another turn is a no-op', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await seedTurn(tx, 'thr_r', 'turn_1');
        await tx.threads.setRunningTurn('thr_r', 'turn_1', at(70), { owner: 'own_1', expiresAt: at(100) });
      });
      await store.read(async (tx) => {
        const found = await tx.threads.find('thr_r');
        assert.equal(found?.status, 'running');
        assert.equal(found?.latestTurnId, 'turn_1');
        assert.equal(found?.updatedAt, at(70));
        assert.deepStrictEqual(await tx.threads.runState('thr_r'), { runningTurnId: 'turn_1', archived: false, historyRev: 0 });
      });
      await store.write((tx) => tx.threads.clearRunningTurn('thr_r', 'turn_other', at(80)));
      assert.equal(await store.read(async (tx) => (await tx.threads.find('thr_r'))?.status), 'running');
      await store.write((tx) => tx.threads.clearRunningTurn('thr_r', 'turn_1', at(90)));
      const idle = await store.read((tx) => tx.threads.find('thr_r'));
      assert.equal(idle?.status, 'idle');
      assert.equal(idle?.latestTurnId, 'turn_1', 'the latest turn stays after it ends');
      assert.equal(idle?.updatedAt, at(90));
    });

    test('delete removes the thread and its turns, items, events, admissions and client requests only', async (t) => {
      const { store } = await open(t);
      for (const id of ['thr_gone', 'thr_kept']) {
        await store.write(async (tx) => {
          await seedTurn(tx, id, `turn_${id}`);
          await tx.items.insert(newItem(`item_${id}`, `turn_${id}`, id));
          await tx.events.append({ threadId: id, seq: await tx.threads.nextSeq(id), kind: 'turn.started', payload: { n: 1 }, time: at(1) });
          await tx.admissions.insert(newAdmission(`inp_${id}`, id, await tx.threads.nextSeq(id)));
          await tx.clientRequests.insert(id, 'req-1', { turnId: `turn_${id}`, admissionId: `inp_${id}`, queued: true }, at(1));
        });
      }
      await store.write((tx) => tx.threads.delete('thr_gone'));
      await store.read(async (tx) => {
        const left = async (id: string) => ({
          thread: await tx.threads.find(id) !== undefined,
          lastSeq: await tx.threads.lastSeq(id),
          turn: await tx.turns.find(`turn_${id}`) !== undefined,
          turns: (await tx.turns.listOfThread(id)).length,
          item: await tx.items.find(`item_${id}`) !== undefined,
          items: (await tx.items.listOfTurn(`turn_${id}`)).length,
          events: (await tx.events.page(id, 0, 10)).length,
          admission: await tx.admissions.find(`inp_${id}`) !== undefined,
          pending: (await tx.admissions.listPending(id)).length,
          request: await tx.clientRequests.find(id, 'req-1') !== undefined,
        });
        assert.deepStrictEqual(await left('thr_gone'), {
          thread: false, lastSeq: undefined, turn: false, turns: 0, item: false, items: 0, events: 0, admission: false, pending: 0, request: false,
        });
        assert.deepStrictEqual(await left('thr_kept'), {
          thread: true, lastSeq: 2, turn: true, turns: 1, item: true, items: 1, events: 1, admission: true, pending: 1, request: true,
        });
        assert.deepStrictEqual((await tx.turns.listInProgress()).map((x) => x.id), ['turn_thr_kept']);
      });
    });

    test('setContextUsage keeps the latest context usage on the thread (find and list); null clears it', async (t) => {
      const { store } = await open(t);
      await store.write((tx) => tx.threads.insert(newThread('thr_c')));
      assert.equal((await store.read((tx) => tx.threads.find('thr_c')))!.contextUsage, undefined);
      await store.write((tx) => tx.threads.setContextUsage('thr_c', { turnId: 'turn_1', used: 10, size: null }));
      await store.write((tx) => tx.threads.setContextUsage('thr_c', { turnId: 'turn_2', used: 1234, size: 128_000 }));
      assert.deepStrictEqual((await store.read((tx) => tx.threads.find('thr_c')))!.contextUsage, { turnId: 'turn_2', used: 1234, size: 128_000 });
      assert.deepStrictEqual((await store.read((tx) => tx.threads.list(false, 10)))[0]!.contextUsage, { turnId: 'turn_2', used: 1234, size: 128_000 });
      await store.write((tx) => tx.threads.setContextUsage('thr_c', null));
      assert.equal((await store.read((tx) => tx.threads.find('thr_c')))!.contextUsage, undefined);
    });

    test("a thread's MCP servers are stored with their secrets (mcpServers) and read everywhere else redacted", async (t) => {
      const { store } = await open(t);
      const servers = [
        { name: 'files', command: 'npx', args: ['-y', 'srv'], env: [{ name: 'TOKEN', value: 'sekrit-env' }] },
        { type: 'http' as const, name: 'web', url: 'https://mcp.example/mcp', headers: [{ name: 'Authorization', value: 'Bearer sekrit-header' }] },
      ];
      await store.write((tx) => tx.threads.insert(newThread('thr_m', { mcpServers: servers })));
      assert.deepStrictEqual(await store.read((tx) => tx.threads.mcpServers('thr_m')), servers);
      const shown = (await store.read((tx) => tx.threads.find('thr_m')))!;
      assert.deepStrictEqual(shown.mcpServers, [
        { name: 'files', command: 'npx', args: ['-y', 'srv'], env: [{ name: 'TOKEN', value: '[redacted]' }] },
        { type: 'http', name: 'web', url: 'https://mcp.example/mcp', headers: [{ name: 'Authorization', value: '[redacted]' }] },
      ]);
      assert.doesNotMatch(JSON.stringify(await store.read((tx) => tx.threads.list(false, 10))), /sekrit/);
      await store.write((tx) => tx.threads.insert(newThread('thr_none')));
      assert.deepStrictEqual(await store.read((tx) => tx.threads.mcpServers('thr_none')), []);
      assert.equal((await store.read((tx) => tx.threads.find('thr_none')))!.mcpServers, undefined);
    });
  });
}

function ids(threads: { id: string }[]): string[] {
  return threads.map((x) => x.id);
}

/** What `newThread(id)` reads back as. */
function newThreadRecord(id: string) {
  return {
    id,
    title: `title of ${id}`,
    status: 'idle',
    archived: false,
    autoApprove: false,
    trustMode: false,
    metadata: {},
    createdAt: at(0),
    updatedAt: at(0),
    lastSeq: 0,
    queuedCount: 0,
  };
}
