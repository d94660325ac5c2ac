import { StorageError, type MethodName } from '@threadline/protocol';

/**
 * What `serve --read-only` answers: the methods that only read. Anything else (and any method
 * added later, until it is listed here) is refused before it reaches the orchestrator.
 */
const READ_METHODS: ReadonlySet<string> = new Set<MethodName>([
  'initialize',
  'shutdown',
  'thread/get',
  'thread/list',
  'thread/events',
  'thread/turns',
  'turn/get',
  'turn/items',
  'turn/wait',
  'thread/subscribe',
  'thread/unsubscribe',
  'usage/get',
  'usage/report',
  'thread/search',
  'thread/export',
  'routing/getRules',
  'mcp/servers',
  'approval/listRules',
]);

/** -32030 with `data.readOnly: true` for a method that would write; undefined for a read. */
export function refuseWrite(method: string): StorageError | undefined {
  if (READ_METHODS.has(method)) return undefined;
  return new StorageError(`${method} writes, and this server is read-only (threadline serve --read-only)`, {
    sqliteCode: 'SQLITE_READONLY',
    retryable: false,
    readOnly: true,
  });
}
