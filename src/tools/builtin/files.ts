import { constants, promises as fs, type Stats } from 'node:fs';
import { join } from 'node:path';
import { handleName, openBeneath, pathArgument, resolveBeneath, ToolError } from './confine.js';

/** Where a file tool works: the thread's cwd as given and its real path (the confinement root). */
export interface Place {
  cwd: string;
  root: string;
}

export interface FileLimits {
  /** read_file sends at most this many bytes of a file, and says so when the file is longer. */
  maxOutputBytes: number;
  /** list_dir lists at most this many entries. */
  maxListEntries: number;
}

/**
 * read_file: only a regular file beneath root. Opened O_NONBLOCK so a FIFO cannot hold a thread
 * pool worker, checked with fstat before a byte is read, and read only up to the cap.
 */
export async function readTool(place: Place, p: unknown, limits: FileLimits): Promise<string> {
  const path = pathArgument(p);
  const { components, stat } = await resolveBeneath(place.cwd, place.root, path);
  if (stat && !stat.isFile()) throw notRegular(path, stat);
  const file = await openBeneath(place.root, components, { flags: constants.O_RDONLY | constants.O_NONBLOCK });
  try {
    const opened = await file.stat();
    if (!opened.isFile()) throw notRegular(path, opened);
    const want = Math.min(opened.size, limits.maxOutputBytes);
    const buffer = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await file.read(buffer, got, want - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const text = buffer.subarray(0, got).toString('utf8');
    return opened.size > got ? `${text}\n[file cut: the first ${got} bytes of ${opened.size} were read]\n` : text;
  } finally {
    await file.close();
  }
}

/** list_dir: a directory beneath root, at most maxListEntries entries (sorted; directories end with /). */
export async function listTool(place: Place, p: unknown, limits: FileLimits): Promise<string> {
  const path = pathArgument(p);
  const { components, stat } = await resolveBeneath(place.cwd, place.root, path);
  if (stat && !stat.isDirectory()) throw new ToolError(`${path} is not a directory`);
  const handle = await openBeneath(place.root, components, { flags: constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NONBLOCK });
  try {
    // The directory the handle has open, not the path again: what was checked is what is listed.
    const dir = await fs.opendir(handleName(handle, join(place.root, ...components)));
    const names: string[] = [];
    let more = false;
    for await (const entry of dir) {
      if (names.length === limits.maxListEntries) {
        more = true;
        break;
      }
      names.push(entry.isDirectory() ? `${entry.name}/` : entry.name);
    }
    names.sort();
    return more ? `${names.join('\n')}\n[listing cut at ${limits.maxListEntries} entries]` : names.join('\n');
  } finally {
    await handle.close();
  }
}

/**
 * write_file: creates or replaces a regular file beneath root. Parents are created one by one
 * beneath root; a link at the file itself (dangling or not) is refused, never followed; an
 * existing FIFO or device is refused before anything is truncated.
 */
export async function writeTool(place: Place, p: unknown, content: unknown): Promise<string> {
  const path = pathArgument(p);
  if (typeof content !== 'string') throw new ToolError('content must be a string');
  const { components, stat } = await resolveBeneath(place.cwd, place.root, path);
  if (components.length === 0) throw new ToolError(`${path} is the working directory itself`);
  if (stat && !stat.isFile()) throw notRegular(path, stat);
  const file = await openBeneath(place.root, components, {
    flags: constants.O_WRONLY | constants.O_CREAT | constants.O_NONBLOCK,
    mode: 0o666,
    makeParents: true,
  });
  try {
    const opened = await file.stat();
    if (!opened.isFile()) throw notRegular(path, opened);
    await file.truncate(0);
    await file.writeFile(content);
  } finally {
    await file.close();
  }
  return `wrote ${Buffer.byteLength(content)} bytes to ${path}`;
}

function notRegular(path: string, stat: Stats): ToolError {
  const kind = stat.isDirectory()
    ? 'a directory'
    : stat.isFIFO()
      ? 'a FIFO'
      : stat.isSocket()
        ? 'a socket'
        : stat.isCharacterDevice() || stat.isBlockDevice()
          ? 'a device'
          : 'not a regular file';
  return new ToolError(`${path} is ${kind}; only regular files can be read or written`);
}
