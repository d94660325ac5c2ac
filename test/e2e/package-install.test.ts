import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BIN } from '../helpers/server.js';
import { sqliteOnly } from '../helpers/test-db.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROTOCOL = join(ROOT, 'protocol');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** What a user writes: spawn → thread/create → startTurn → turn/wait → shutdown. CJS has no top-level await. */
const MAIN = `import { spawnThreadline } from '@threadline/protocol/node';
import { ServerExitedError, type ThreadEvent } from '@threadline/protocol';

async function main(): Promise<void> {
  const { client, close } = await spawnThreadline({ bin: process.env.THREADLINE_BIN, args: ['--db', ':memory:'], stderr: 'ignore' });
  const deltas: string[] = [];
  client.onEvent((event: ThreadEvent) => {
    if (event.kind !== 'item.delta') return;
    // @ts-expect-error the payload is typed (not any): its text is a string
    const wrong: number = event.payload.text;
    deltas.push(event.payload.text ?? wrong);
  });
  const { thread } = await client.request('thread/create', { title: 'installed from a tarball' });
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'hello from the package' });
  const { turn: ended } = await client.request('turn/wait', { turnId: turn.id });
  await close();
  // The error class of '.' must be the one './node' throws (one copy of each module per format).
  const after = await client.request('thread/list').catch((error: unknown) => error);
  console.log(JSON.stringify({ status: ended.status, text: deltas.join(''), exited: after instanceof ServerExitedError }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
`;

function tsconfig(options: Record<string, unknown>): string {
  const compilerOptions = {
    target: 'ES2022',
    strict: true,
    outDir: 'out',
    // Library .d.ts are not re-checked (zod's are large); the @ts-expect-error in MAIN fails
    // if the package's types ever resolve to any.
    skipLibCheck: true,
    typeRoots: [join(ROOT, 'node_modules/@types')],
    types: ['node'],
    ...options,
  };
  return JSON.stringify({ compilerOptions, files: ['main.ts'] }, null, 2);
}

/** A fresh project next to the shared node_modules: package.json, tsconfig(s), main.ts. */
function project(dir: string, type: 'module' | 'commonjs', configs: Record<string, string>): void {
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${type}`, private: true, type }));
  for (const [name, text] of Object.entries(configs)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, 'main.ts'), MAIN);
}

test('npm pack → install into fresh ESM and CommonJS TypeScript projects → typecheck → spawn, turn, shutdown', sqliteOnly('installs the package and runs it on :memory: SQLite; the backend is not what it tests'), async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-package-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  // `npm run build` (pretest) built dist/; `prepack` builds it for an unbuilt clone.
  const manifest = JSON.parse(readFileSync(join(PROTOCOL, 'package.json'), 'utf8'));
  assert.match(manifest.scripts?.prepack ?? '', /build-protocol/);
  assert.ok(manifest.engines?.node, 'engines.node is declared');
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: PROTOCOL });
  const [info] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  const files = info.files.map((f) => f.path);
  for (const file of ['README.md', 'LICENSE', 'dist/esm/index.js', 'dist/esm/node.d.ts', 'dist/cjs/index.js', 'dist/cjs/node.d.ts', 'dist/cjs/package.json']) {
    assert.ok(files.includes(file), `the tarball holds ${file}`);
  }

  // One install (the tarball, its dependencies from the npm cache or registry) shared by both projects.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumers', private: true }));
  await run('npm', ['install', join(dir, info.filename), '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'], {
    cwd: dir,
  });

  project(join(dir, 'esm'), 'module', { 'tsconfig.json': tsconfig({ module: 'node16', moduleResolution: 'node16' }) });
  project(join(dir, 'cjs'), 'commonjs', {
    // What `module: node16` makes of a CommonJS package: require() of the package (TS1479 if it were ESM only).
    'tsconfig.json': tsconfig({ module: 'node16', moduleResolution: 'node16' }),
    // The VS Code extension template: module commonjs, node10 resolution (no `exports`: typesVersions).
    'tsconfig.node10.json': tsconfig({ module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true, noEmit: true }),
  });
  const typecheck = (cwd: string, config = 'tsconfig.json') =>
    run(process.execPath, [TSC, '-p', config], { cwd }).catch((error: { stdout?: string }) => {
      throw new Error(`tsc -p ${cwd}/${config} failed:\n${error.stdout}`);
    });
  await Promise.all([typecheck(join(dir, 'esm')), typecheck(join(dir, 'cjs')), typecheck(join(dir, 'cjs'), 'tsconfig.node10.json')]);
  const emitted = readFileSync(join(dir, 'cjs/out/main.js'), 'utf8');
  assert.match(emitted, /require\("@threadline\/protocol\/node"\)/, 'the CommonJS project require()s the package');

  const env = { ...process.env, THREADLINE_BIN: BIN };
  const [esm, cjs] = await Promise.all(
    ['esm', 'cjs'].map((name) => run(process.execPath, ['out/main.js'], { cwd: join(dir, name), env })),
  );
  for (const [name, result] of [['esm', esm!], ['cjs', cjs!]] as const) {
    assert.deepEqual(JSON.parse(result.stdout), { status: 'completed', text: 'echo[1]: hello from the package', exited: true }, name);
  }
});
