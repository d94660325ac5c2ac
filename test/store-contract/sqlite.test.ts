import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStoreAt } from '../../src/store/open.js';
import type { Store } from '../../src/store/port.js';
import { describeStoreContract } from './contract.js';

/**
 * Where the databases go: RAM-backed /dev/shm where there is one. The suite tests the port's
 * contract, not the disk, and on a disk each new database costs ~60 ms of fsync (5 s a run).
 */
const TEMP_ROOT = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

// Each test gets its own file in a private temp dir, so a reopen and a second connection
// (another process's view) open the same database.
describeStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(TEMP_ROOT, 'threadline-contract-'));
  const path = join(dir, 'threadline.db');
  const opened: Store[] = [];
  const open = async (): Promise<Store> => {
    const store = await openStoreAt(path, 'normal');
    opened.push(store);
    return store;
  };
  const store = await open();
  return {
    store,
    reopen: async () => {
      await store.close();
      return open();
    },
    otherConnection: open,
    cleanup: async () => {
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
