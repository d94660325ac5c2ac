import { constants, existsSync, promises as fs, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/** A tool error the model sees (never thrown out of the turn). */
export class ToolError extends Error {}

/** Longer paths are refused before any file system call (PATH_MAX on Linux). */
export const MAX_PATH_BYTES = 4096;
/** Symbolic links followed while resolving one path (the kernel's own limit is 40). */
const MAX_LINKS = 40;
/** Linux: `/proc/self/fd/N/name` looks `name` up in the directory open as N, like openat(2). */
const PROC_FD = existsSync('/proc/self/fd');

/** `rel` (from `relative(root, x)`) names root itself or something beneath it. `..notes.txt` is beneath. */
export function isBeneath(rel: string): boolean {
  return !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}

/** A path argument the model sent: a non-empty string, no NUL byte, at most MAX_PATH_BYTES. */
export function pathArgument(p: unknown): string {
  if (typeof p !== 'string' || p.length === 0) throw new ToolError('path is required');
  if (p.includes('\0')) throw new ToolError('path contains a NUL byte; refused');
  if (Buffer.byteLength(p) > MAX_PATH_BYTES) throw new ToolError(`path is longer than ${MAX_PATH_BYTES} bytes; refused`);
  return p;
}

/** Where `p` lies beneath `root`: its components (none for root itself) and the lstat of the last one when it exists. */
export interface Resolved {
  components: string[];
  stat?: Stats;
}

/**
 * Resolves `p` (relative to `cwd`, or absolute inside it) to components beneath `root` (cwd's real
 * path), one component at a time with lstat: a symbolic link is followed only while its target
 * stays beneath root, whether that target exists or not; one that leads out is refused. A `..`
 * above root is refused. Nothing is opened: `openBeneath` opens the result without following links,
 * so a link planted after this check is refused, not followed.
 */
export async function resolveBeneath(cwd: string, root: string, p: string): Promise<Resolved> {
  const outside = () => new ToolError(`path ${p} is outside the working directory; refused`);
  const target = resolve(cwd, p);
  const fromCwd = relative(cwd, target);
  const fromRoot = relative(root, target);
  const rel = isBeneath(fromCwd) ? fromCwd : isBeneath(fromRoot) ? fromRoot : undefined;
  if (rel === undefined) throw outside();
  const pending = split(rel);
  const components: string[] = [];
  let stat: Stats | undefined;
  let links = 0;
  while (pending.length > 0) {
    const c = pending.shift()!;
    if (c === '.') continue;
    if (c === '..') {
      if (components.length === 0) throw outside();
      components.pop();
      stat = undefined;
      continue;
    }
    stat = await lstatOrUndefined(join(root, ...components, c));
    if (!stat?.isSymbolicLink()) {
      components.push(c);
      continue;
    }
    if (++links > MAX_LINKS) throw new ToolError(`path ${p} passes through more than ${MAX_LINKS} symbolic links; refused`);
    const link = await fs.readlink(join(root, ...components, c));
    if (isAbsolute(link)) {
      const inside = [relative(root, link), relative(cwd, link)].find(isBeneath);
      if (inside === undefined) throw new ToolError(`path ${p} goes through the symbolic link ${[...components, c].join('/')} to ${link}, outside the working directory; refused`);
      components.length = 0;
      pending.unshift(...split(inside));
    } else {
      pending.unshift(...split(link));
    }
    stat = undefined;
  }
  return { components, stat };
}

export interface OpenOptions {
  flags: number;
  mode?: number;
  /** Create missing parent directories (each beneath root, none through a link). */
  makeParents?: boolean;
}

/**
 * Opens `components` beneath `root` without following any symbolic link: on Linux each directory
 * is opened by name inside the directory opened before it (`/proc/self/fd/N/name` with
 * O_NOFOLLOW), so swapping a directory for a link between the check and the open makes the open
 * fail instead of leaving root. Elsewhere the full path is opened with O_NOFOLLOW and its real
 * path checked afterwards (a narrower window; see SECURITY.md).
 */
export async function openBeneath(root: string, components: string[], o: OpenOptions): Promise<FileHandle> {
  const flags = o.flags | constants.O_NOFOLLOW | constants.O_NOCTTY;
  if (!PROC_FD) return openByPath(root, components, { ...o, flags });
  let dir = await fs.open(root, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    for (const c of components.slice(0, -1)) {
      const name = `/proc/self/fd/${dir.fd}/${c}`;
      const next = await openDirectory(name).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT' || !o.makeParents) throw linkError(error);
        await fs.mkdir(name).catch((e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? undefined : Promise.reject(e)));
        return openDirectory(name).catch((e: NodeJS.ErrnoException) => Promise.reject(linkError(e)));
      });
      await dir.close();
      dir = next;
    }
    const leaf = components.at(-1) ?? '.';
    return await fs.open(`/proc/self/fd/${dir.fd}/${leaf}`, flags, o.mode).catch((error: NodeJS.ErrnoException) => Promise.reject(linkError(error)));
  } finally {
    await dir.close();
  }
}

/** A name for what `handle` has open: its /proc entry on Linux (the very directory checked), else `fallback`. */
export function handleName(handle: FileHandle, fallback: string): string {
  return PROC_FD ? `/proc/self/fd/${handle.fd}` : fallback;
}

function openDirectory(name: string): Promise<FileHandle> {
  return fs.open(name, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
}

/** Without /proc: O_NOFOLLOW on the full path, then its real path and identity checked against the handle. */
export async function openByPath(root: string, components: string[], o: OpenOptions): Promise<FileHandle> {
  const full = join(root, ...components);
  if (o.makeParents && components.length > 1) await fs.mkdir(join(root, ...components.slice(0, -1)), { recursive: true });
  const handle = await fs.open(full, o.flags, o.mode).catch((error: NodeJS.ErrnoException) => Promise.reject(linkError(error)));
  const real = await fs.realpath(full).catch(() => undefined);
  const [opened, there] = await Promise.all([handle.stat(), real ? fs.stat(real).catch(() => undefined) : undefined]);
  if (!real || !isBeneath(relative(root, real)) || !there || there.ino !== opened.ino || there.dev !== opened.dev) {
    await handle.close();
    throw new ToolError('the path changed while it was being opened; refused');
  }
  return handle;
}

/** ELOOP (and ENOTDIR for a link where a directory was expected): something became a link after the check. */
function linkError(error: NodeJS.ErrnoException): Error {
  if (error.code === 'ELOOP') return new ToolError('the path is or went through a symbolic link when it was opened (it changed after the check); refused');
  return error;
}

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(p);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

function split(p: string): string[] {
  return p.split(sep).filter((c) => c !== '');
}
