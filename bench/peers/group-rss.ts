import { readdirSync, readFileSync } from 'node:fs';
import { rssMb } from '../lib/rss.js';

/**
 * RSS (MB) summed over every process of a process group, and how many there are: Codex's
 * app-server may start helpers, and memory a user's machine pays for counts wherever it lives.
 */
export function groupRssMb(pgid: number): { mb: number; processes: number } {
  let mb = 0;
  let processes = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the parenthesised command name: state ppid pgrp …
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) continue;
    const rss = rssMb(Number(entry));
    if (rss === undefined) continue;
    mb += rss;
    processes++;
  }
  return { mb, processes };
}
