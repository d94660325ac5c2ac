import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN } from '../helpers/server.js';

// Start-up of the frontend's subcommands (issue 14: chat's first prompt within half a second):
// they load only the frontend bundle (dist/chat.cjs), never the server's (dist/threadline.cjs),
// whose module set-up alone is about half of chat's time to its first prompt.

/** The files a `threadline …` run opens with openSync (how bin/threadline reads the bundles) or reads with readFileSync. */
function filesRead(args: string[]): { files: string[]; status: number | null; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-startup-'));
  try {
    const preload = join(dir, 'trace.cjs');
    const log = join(dir, 'read.log');
    writeFileSync(
      preload,
      `const fs = require('node:fs'); const read = fs.readFileSync; const seen = [];
       fs.readFileSync = function (file, ...rest) { if (typeof file === 'string') seen.push(file); return read.call(this, file, ...rest); };
       const open = fs.openSync; fs.openSync = function (file, ...rest) { if (typeof file === 'string') seen.push(file); return open.call(this, file, ...rest); };
       process.on('exit', () => fs.writeFileSync(${JSON.stringify(log)}, seen.join('\\n')));`,
    );
    const run = spawnSync(process.execPath, ['--require', preload, BIN, ...args], { encoding: 'utf8' });
    return { files: read(log), status: run.status, stdout: run.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function read(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

test('chat, inspect and schema load only the frontend bundle, not the server bundle', () => {
  for (const args of [['chat', '--help'], ['inspect', '--help'], ['schema', '--help']]) {
    const { files, status, stdout } = filesRead(args);
    assert.equal(status, 0, args.join(' '));
    assert.match(stdout, /threadline/);
    assert.ok(files.some((f) => f.endsWith('chat.cjs')), `${args.join(' ')} read the frontend bundle: ${files.join(', ')}`);
    assert.ok(!files.some((f) => f.endsWith('threadline.cjs')), `${args.join(' ')} read the server bundle: ${files.join(', ')}`);
  }
  // serve and --version still run the server bundle alone.
  const version = filesRead(['--version']);
  assert.ok(version.files.some((f) => f.endsWith('threadline.cjs')) && !version.files.some((f) => f.endsWith('chat.cjs')));
});
