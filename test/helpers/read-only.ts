import assert from 'node:assert/strict';
import { ThreadlineError, type ThreadlineClient } from '@threadline/protocol';

/** Each `[method, params]` is refused as `serve --read-only` must: -32030 with `data.readOnly`. */
export async function assertWritesRefused(client: ThreadlineClient, writes: [string, object][]): Promise<void> {
  for (const [method, params] of writes) {
    const error = await (client.request as (m: string, p: object) => Promise<unknown>)(method, params).then(
      () => assert.fail(`${method} was served`),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ThreadlineError, `${method}: ${String(error)}`);
    assert.equal(error.code, -32030, method);
    assert.equal((error.data as { readOnly?: boolean }).readOnly, true, method);
    assert.match(error.message, /read-only/);
  }
}
