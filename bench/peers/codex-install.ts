import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The Codex release the peer comparison measures: pinned, so a re-run measures the same binary.
 * `@openai/codex` is a small Node launcher; the native binary ships in the platform package
 * `@openai/codex-linux-x64` (an optional dependency aliased to `@openai/codex@<v>-linux-x64`).
 */
export const CODEX_VERSION = '0.171.0';

const TRIPLES: Record<string, { pkg: string; triple: string }> = {
  'linux-x64': { pkg: '@openai/codex-linux-x64', triple: 'x86_64-unknown-linux-musl' },
  'linux-arm64': { pkg: '@openai/codex-linux-arm64', triple: 'aarch64-unknown-linux-musl' },
  'darwin-x64': { pkg: '@openai/codex-darwin-x64', triple: 'x86_64-apple-darwin' },
  'darwin-arm64': { pkg: '@openai/codex-darwin-arm64', triple: 'aarch64-apple-darwin' },
};

export function codexCacheDir(version = CODEX_VERSION): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'threadline-bench', `codex-${version}`);
}

function binaryIn(dir: string): string {
  const target = TRIPLES[`${process.platform}-${process.arch}`];
  if (!target) throw new Error(`bench:peers: no Codex binary for ${process.platform}-${process.arch}`);
  return join(dir, 'node_modules', target.pkg, 'vendor', target.triple, 'bin', 'codex');
}

/**
 * The path of Codex's native binary, installing the pinned release from the npm registry into a
 * cache outside the repo first when it is missing. We run the binary itself, not the launcher:
 * the launcher is a Node process that execve()s it, which would add Node's start-up to Codex's.
 * The install goes to a temporary folder renamed into place, so a half-finished one is never used.
 */
export function ensureCodex(log: (message: string) => void, version = CODEX_VERSION): string {
  const dir = codexCacheDir(version);
  const binary = binaryIn(dir);
  if (!existsSync(binary)) {
    const partial = `${dir}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    writeFileSync(join(partial, 'package.json'), '{ "private": true }\n');
    log(`installing @openai/codex@${version} into ${dir} (once)…`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    // --os/--cpu: make sure this platform's binary package is the optional dependency installed.
    execFileSync(
      npm,
      ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--save-exact', `--os=${process.platform}`, `--cpu=${process.arch}`, `@openai/codex@${version}`],
      { cwd: partial, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (!existsSync(binaryIn(partial))) throw new Error(`npm installed @openai/codex@${version} without its native binary (${binaryIn(partial)})`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
  }
  const reported = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  if (!reported.endsWith(version)) throw new Error(`${binary} reports "${reported}", expected ${version}`);
  return binary;
}
