import { accessSync, constants } from 'node:fs';
import { posix, win32 } from 'node:path';

/** What {@link resolveNodeExecutable} looks at; tests inject their own. */
export interface NodeRuntime {
  execPath: string;
  versions: Partial<Record<string, string>>;
  env: Record<string, string | undefined>;
  platform: string;
  /** Whether `path` is an executable file (default: fs.accessSync with X_OK). */
  isExecutable?: (path: string) => boolean;
}

/** No Node.js to run the server with: the message says how to fix it. */
export class NodeNotFoundError extends Error {
  override readonly name = 'NodeNotFoundError';
}

/**
 * The Node.js that runs `bin`: `explicit` when given; else this process's executable when it is
 * Node itself; else the first `node` on PATH. Inside an Electron app (a VS Code extension host),
 * Bun or Deno, `process.execPath` is not Node, and the server's native better-sqlite3 — built
 * for Node — would not load there.
 */
export function resolveNodeExecutable(explicit: string | undefined, runtime: NodeRuntime = currentRuntime()): string {
  if (explicit) return explicit;
  const { versions } = runtime;
  if (versions.electron === undefined && versions.bun === undefined && versions.deno === undefined) {
    return runtime.execPath;
  }
  const found = findOnPath('node', runtime);
  if (found) return found;
  const host = versions.electron !== undefined ? 'Electron' : versions.bun !== undefined ? 'Bun' : 'Deno';
  throw new NodeNotFoundError(
    `threadline needs Node.js >= 20 to run its server, and this process runs in ${host} (${runtime.execPath}); ` +
      'no "node" was found on PATH: install Node.js, or pass the `node` option (the path of a node executable)',
  );
}

function currentRuntime(): NodeRuntime {
  return { execPath: process.execPath, versions: process.versions, env: process.env, platform: process.platform };
}

function findOnPath(name: string, runtime: NodeRuntime): string | undefined {
  const isExecutable = runtime.isExecutable ?? canExecute;
  const windows = runtime.platform === 'win32';
  const pathVar = runtime.env.PATH ?? runtime.env.Path ?? '';
  const extensions = windows ? (runtime.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean) : [''];
  const sep = windows ? ';' : ':';
  const join = windows ? win32.join : posix.join;
  for (const dir of pathVar.split(sep)) {
    if (!dir) continue;
    for (const ext of extensions) {
      const candidate = join(dir, name + ext.toLowerCase());
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function canExecute(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
