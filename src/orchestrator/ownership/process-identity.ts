import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { hostname } from 'node:os';

/** A server process as its owner row records it. */
export interface RecordedProcess {
  pid: number;
  hostname: string;
  processKey: string;
  /** `ownPidNamespace()` of that process; null for a row from before migration 004 or when unknown. */
  pidNamespace: string | null;
  /** `ownMachineId()` of that process; null for a row from before migration 010 (then its host name decides). */
  machineId: string | null;
}

/** What this process can tell about a recorded one from here. */
export type Liveness = 'alive' | 'gone' | 'unknown';

/**
 * Judges a recorded process by its pid — only where that pid means here what it meant there:
 * same host, same boot, same PID namespace, and a /proc that belongs to it. A process in a
 * container or sandbox with its own PID namespace is invisible from outside (or another process
 * has its pid number here), so it is `unknown`, never `gone`: only its lease can expire.
 */
export function judgeProcess(p: RecordedProcess): Liveness {
  const ns = ownPidNamespace();
  if (!Number.isSafeInteger(p.pid) || p.pid <= 0) return 'unknown'; // kill(0 or -1) would mean a group
  if (!sameMachine(p) || ns === null || p.pidNamespace !== ns) return 'unknown';
  if (bootOf(p.processKey) !== bootOf(ownProcessKey())) return 'unknown';
  const stat = readStat(p.pid);
  if (stat) return !stat.zombie && `${bootId()}:${stat.start}` === p.processKey ? 'alive' : 'gone';
  // Not in /proc, yet signalable: hidden from us (hidepid, another user) — it may be the owner.
  if (hasProcFs()) return isSignalable(p.pid) ? 'unknown' : 'gone';
  return isSignalable(p.pid) ? 'alive' : 'gone'; // no /proc: the pid alone (no reuse check)
}

/**
 * Names a process beyond its pid: the boot id plus the process's start time (Linux /proc), so a
 * pid the kernel handed to another process since — or one from before a reboot — is not
 * mistaken for the process that recorded it. Undefined when no such process exists now.
 */
export function processKeyOf(pid: number): string | undefined {
  const stat = readStat(pid);
  if (stat) return stat.zombie ? undefined : `${bootId()}:${stat.start}`;
  if (hasProcFs()) return undefined; // /proc exists and has no such pid: gone
  return isSignalable(pid) ? `pid:${pid}` : undefined; // elsewhere: the pid alone (no reuse check)
}

/** Same machine: the recorded machine id when there is one, else (an older row) the host name. */
function sameMachine(p: RecordedProcess): boolean {
  return p.machineId === null ? p.hostname === ownHostname() : p.machineId === ownMachineId() && p.hostname === ownHostname();
}

let machineId: string | undefined;
/**
 * This server's machine identity, recorded with its owner row: `--machine-id` (useMachineId), else
 * THREADLINE_MACHINE_ID, else a hash of /etc/machine-id (machine-id(5) asks applications not to
 * publish the id itself), else of the host name. Two servers with different ids never judge each
 * other's pids: an owner on another machine is dead only once its lease has expired.
 */
export function ownMachineId(): string {
  machineId ??= process.env.THREADLINE_MACHINE_ID || defaultMachineId();
  return machineId;
}

/** Sets this process's machine identity (`serve --machine-id`), before the first owner row is written. */
export function useMachineId(id: string | undefined): void {
  if (id) machineId = id;
}

function defaultMachineId(): string {
  let source = `host:${hostname()}`;
  for (const file of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      const id = readFileSync(file, 'utf8').trim();
      if (id) {
        source = `machine-id:${id}`;
        break;
      }
    } catch {
      // not there (macOS, Windows, a minimal container): try the next, then the host name
    }
  }
  return createHash('sha256').update(`threadline:${source}`).digest('hex').slice(0, 16);
}

let cachedHostname: string | undefined;
/** The host name recorded with this process's owner row (read once: recorded and compared alike). */
export function ownHostname(): string {
  cachedHostname ??= hostname();
  return cachedHostname;
}

let cachedKey: string | undefined;
/** This process's key, recorded in its owner row at start-up. */
export function ownProcessKey(): string {
  cachedKey ??= processKeyOf(process.pid) ?? `pid:${process.pid}`;
  return cachedKey;
}

/** True while the process that recorded `key` under `pid` still runs (same host only). */
export function isProcessAlive(pid: number, key: string): boolean {
  return processKeyOf(pid) === key;
}

let cachedNamespace: string | null | undefined;
/**
 * This process's PID namespace (device and inode of /proc/self/ns/pid, as namespaces(7) says to
 * compare them), recorded with its owner row. Null when /proc is not this namespace's own — pids
 * read from it would mean something else — or cannot be read: then no pid is judged at all.
 * macOS and Windows have one pid space per host.
 */
export function ownPidNamespace(): string | null {
  if (cachedNamespace === undefined) cachedNamespace = readPidNamespace();
  return cachedNamespace;
}

function readPidNamespace(): string | null {
  if (process.platform === 'darwin' || process.platform === 'win32') return process.platform;
  try {
    if (readlinkSync('/proc/self') !== String(process.pid)) return null;
    const ns = statSync('/proc/self/ns/pid');
    return `pidns:${ns.dev}:${ns.ino}`;
  } catch {
    return null;
  }
}

/** The boot part of a process key (`pid` for a key without /proc). */
const bootOf = (key: string): string => key.slice(0, key.lastIndexOf(':'));

let cachedBootId: string | undefined;
function bootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = '';
    }
  }
  return cachedBootId;
}

/** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot; undefined when unreadable. */
function readStat(pid: number): { start: string; zombie: boolean } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { start: fields[19]!, zombie: fields[0] === 'Z' || fields[0] === 'X' };
  } catch {
    return undefined;
  }
}

function hasProcFs(): boolean {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}

function isSignalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
