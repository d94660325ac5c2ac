import { readFileSync } from 'node:fs';

/**
 * Names a process beyond its pid: the boot id plus the process's start time (Linux /proc), so a
 * pid the kernel handed to another process since — or one from before a reboot — is not
 * mistaken for the process that recorded it. Undefined when no such process exists now.
 */
export function processKeyOf(pid: number): string | undefined {
  const start = startTimeOf(pid);
  if (start !== undefined) return `${bootId()}:${start}`;
  if (hasProcFs()) return undefined; // /proc exists and has no such pid: gone
  return isSignalable(pid) ? `pid:${pid}` : undefined; // elsewhere: the pid alone (no reuse check)
}

/** This process's key, recorded in its owner row at start-up. */
export function ownProcessKey(): string {
  return processKeyOf(process.pid) ?? `pid:${process.pid}`;
}

/** True while the process that recorded `key` under `pid` still runs (same host only). */
export function isProcessAlive(pid: number, key: string): boolean {
  return processKeyOf(pid) === key;
}

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

/** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot; undefined for a zombie or no process. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return fields[19];
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
