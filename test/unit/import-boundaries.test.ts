import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The layout's arrows (docs/ARCHITECTURE.md), checked over every import line: front ends see only
 * the orchestrator's API, the orchestrator sees only the store port, adapters see only the port,
 * hosts see only the host port, the protocol package and the chat client see nothing of src/.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** A rule: for a file under `from`, every import must satisfy `allowed` (paths relative to the repo). */
interface Rule {
  from: string;
  why: string;
  allowed: (target: Target) => boolean;
}

/** An import: a package name, or a repo-relative path of a .ts file. */
type Target = { kind: 'package'; name: string } | { kind: 'file'; path: string };

const pkg = (...names: string[]) => (t: Target) => t.kind === 'package' && (t.name.startsWith('node:') || names.some((n) => t.name === n || t.name.startsWith(`${n}/`)));
const file = (...prefixes: string[]) => (t: Target) => t.kind === 'file' && prefixes.some((p) => t.path === p || (p.endsWith('/') && t.path.startsWith(p)));
const any = (...checks: ((t: Target) => boolean)[]) => (t: Target) => checks.some((check) => check(t));

const PROTOCOL = '@threadline/protocol';
/**
 * Part of the store's contract, like the port: what a store failure means (may it be retried?),
 * decided once for every adapter. It imports nothing, so it leaks no adapter or driver.
 */
const STORE_ERRORS = 'src/store/store-errors.ts';

const RULES: Rule[] = [
  {
    from: 'src/rpc/',
    why: 'a front end sees only the orchestrator API and the protocol package',
    allowed: any(pkg(PROTOCOL, 'vscode-jsonrpc', 'zod'), file('src/rpc/', 'src/orchestrator/api.ts', 'src/log.ts', STORE_ERRORS)),
  },
  {
    from: 'src/acp/',
    why: 'a front end sees only the orchestrator API and the protocol package (never rpc/ or store/)',
    allowed: any(pkg(PROTOCOL, '@agentclientprotocol/sdk', 'zod'), file('src/acp/', 'src/orchestrator/api.ts', 'src/log.ts')),
  },
  {
    from: 'src/orchestrator/decide/',
    why: 'decisions are pure: protocol types only',
    allowed: any(pkg(PROTOCOL), file('src/orchestrator/decide/')),
  },
  {
    from: 'src/orchestrator/',
    why: 'the orchestrator sees the store and hosts only through their ports',
    allowed: any(pkg(PROTOCOL, 'uuid'), file('src/orchestrator/', 'src/store/port.ts', STORE_ERRORS, 'src/host/port.ts', 'src/log.ts', 'src/config.ts')),
  },
  {
    from: 'src/store/port.ts',
    why: 'the port is declared in protocol types only',
    allowed: pkg(PROTOCOL),
  },
  {
    from: STORE_ERRORS,
    why: 'the store errors\' meaning is seen by rpc/ and the orchestrator: it imports nothing',
    allowed: () => false,
  },
  {
    from: 'src/store/sqlite/',
    why: 'an adapter imports only the port',
    allowed: any(pkg(PROTOCOL, 'better-sqlite3'), file('src/store/sqlite/', 'src/store/port.ts')),
  },
  {
    from: 'src/host/',
    why: 'a host sees only the host port',
    allowed: any(pkg(PROTOCOL, 'openai', 'zod'), file('src/host/', 'src/tools/')),
  },
  {
    from: 'src/tools/',
    why: 'tool sources serve hosts: the host port and their own libraries only',
    allowed: any(pkg(PROTOCOL, 'zod', '@modelcontextprotocol/sdk'), file('src/tools/', 'src/host/port.ts', 'src/host/minimal-env.ts')),
  },
  {
    from: 'protocol/',
    why: 'the protocol package is published on its own: nothing of src/',
    allowed: any(pkg(PROTOCOL, 'zod', 'vscode-jsonrpc'), file('protocol/')),
  },
  {
    from: 'clients/chat/',
    why: 'the chat client is built only on the public protocol package',
    allowed: (t) => t.kind === 'package' || file('clients/chat/')(t),
  },
];

const SKIP = new Set(['node_modules', 'dist', '.cache']);

function sourceFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(join(ROOT, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return SKIP.has(e.name) ? [] : sourceFiles(path);
    return /\.(ts|tsx|mts)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s+['"]([^'"]+)['"]|(?:^|[^.\w])import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;

function importsOf(path: string, text: string): Target[] {
  const targets: Target[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    if (!spec.startsWith('.')) targets.push({ kind: 'package', name: spec });
    else targets.push({ kind: 'file', path: relative(ROOT, normalize(join(ROOT, dirname(path), spec))).replace(/\.js$/, '.ts').split('\\').join('/') });
  }
  return targets;
}

/** The most specific rule for a file (decide/ before orchestrator/). */
function ruleFor(path: string): Rule | undefined {
  return RULES.filter((r) => path === r.from || path.startsWith(r.from)).sort((a, b) => b.from.length - a.from.length)[0];
}

function violations(path: string, text: string): string[] {
  const rule = ruleFor(path);
  if (!rule) return [];
  return importsOf(path, text)
    .filter((t) => !rule.allowed(t))
    .map((t) => `${path} imports ${t.kind === 'package' ? t.name : t.path}: ${rule.why}`);
}

test('import boundaries: every import line follows the layout arrows of docs/ARCHITECTURE.md', () => {
  const files = ['src', 'protocol', 'clients'].flatMap(sourceFiles);
  assert.ok(files.length > 50, `found only ${files.length} source files`);
  const found = files.flatMap((path) => violations(path, readFileSync(join(ROOT, path), 'utf8')));
  assert.deepStrictEqual(found, []);
});

test('import boundaries: nothing but the entry points import cli/', () => {
  const files = ['src', 'protocol', 'clients'].flatMap(sourceFiles).filter((p) => !p.startsWith('src/cli/') && p !== 'src/main.ts' && p !== 'src/acp-main.ts');
  const found = files.filter((path) => importsOf(path, readFileSync(join(ROOT, path), 'utf8')).some((t) => t.kind === 'file' && t.path.startsWith('src/cli/')));
  assert.deepStrictEqual(found, []);
});

test('import boundaries: the checker flags a forbidden import (and reads every import form)', () => {
  assert.deepStrictEqual(violations('src/rpc/x.ts', "import type { Store } from '../store/port.js';"), [
    'src/rpc/x.ts imports src/store/port.ts: a front end sees only the orchestrator API and the protocol package',
  ]);
  assert.equal(violations('src/acp/x.ts', "export { startRpcServer } from '../rpc/server.js';").length, 1);
  assert.equal(violations('src/orchestrator/x.ts', "const m = await import('../store/sqlite/store.js');").length, 1);
  assert.equal(violations('src/orchestrator/decide/x.ts', "import { newId } from '../ids.js';").length, 1);
  assert.equal(violations('src/store/sqlite/x.ts', "import '../../orchestrator/api.js';").length, 1);
  assert.equal(violations('clients/chat/src/x.ts', "import { x } from '../../../src/log.js';").length, 1);
  assert.deepStrictEqual(violations('src/orchestrator/x.ts', "import type { Store } from '../store/port.js';"), []);
});

test('zod is imported as a namespace (`import * as z`), so that bundles keep only the zod the code uses', () => {
  // `import { z } from 'zod'` binds zod's whole namespace object as a value: esbuild then keeps all
  // of zod (and runs its modules at start-up). It took the server bundle from 858 KB to 1005 KB
  // and its start-up from 1.16× to 1.26× a bare JSON-RPC server's (bench/startup-ab.ts).
  const files = ['src', 'protocol', 'clients'].flatMap(sourceFiles);
  const named = files.filter((p) => /^import (type )?\{[^}]*\bz\b[^}]*\} from 'zod(\/[^']*)?';/m.test(readFileSync(join(ROOT, p), 'utf8')));
  assert.deepStrictEqual(named, []);
});

test('src/, the protocol package and the frontend use zod/mini, never classic zod', () => {
  // The exported schemas are zod/mini's (protocol/README.md); a classic import in any of them puts
  // classic zod's classes back into serve's start-up (test/unit/server-bundles.test.ts).
  const files = ['src', 'protocol', 'clients'].flatMap(sourceFiles);
  const classic = files.filter((p) => /^import .* from 'zod(\/v4)?';/m.test(readFileSync(join(ROOT, p), 'utf8')));
  assert.deepStrictEqual(classic, []);
});
