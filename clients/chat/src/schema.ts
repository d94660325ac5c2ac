import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildJsonSchema } from '@threadline/protocol';
import { UsageError } from './args.js';

export const SCHEMA_HELP = `threadline schema — the protocol's JSON Schema and TypeScript declarations, for integrators

Usage:
  threadline schema              print the JSON Schema (draft 2020-12) on stdout
  threadline schema --out DIR    write DIR/threadline.schema.json (the file in the repository's
                                 schema/) and DIR/protocol/*.d.ts (@threadline/protocol's types;
                                 index.d.ts is the entry)
  threadline schema --help       this text
`;

/** Where the build put the protocol's declarations (scripts/build.mjs, next to this bundle). */
function declarationsDir(): string {
  return join(typeof __dirname === 'string' ? __dirname : '.', 'protocol-types');
}

export function schema(args: string[]): number {
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(SCHEMA_HELP);
      return 0;
    }
    if (arg === '--out' || arg.startsWith('--out=')) {
      out = arg === '--out' ? args[++i] : arg.slice('--out='.length);
      if (!out) throw new UsageError('--out needs a directory (try: threadline schema --help)');
    } else throw new UsageError(`${arg.startsWith('-') ? `unknown option ${arg}` : `unexpected argument "${arg}"`} (try: threadline schema --help)`);
  }
  const json = `${JSON.stringify(buildJsonSchema(), null, 2)}\n`;
  if (out === undefined) {
    process.stdout.write(json);
    return 0;
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'threadline.schema.json'), json);
  process.stdout.write(`wrote ${join(out, 'threadline.schema.json')}\n`);
  const types = declarationsDir();
  if (existsSync(types)) {
    cpSync(types, join(out, 'protocol'), { recursive: true });
    process.stdout.write(`wrote ${join(out, 'protocol')}/ (${readdirSync(types).length} .d.ts files; index.d.ts is the entry)\n`);
  } else {
    process.stderr.write(`threadline schema: the protocol's declarations are missing (${types}); run npm run build\n`);
    return 1;
  }
  return 0;
}
