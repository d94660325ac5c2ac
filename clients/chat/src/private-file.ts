import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';

/** A conversation is private: a new file is 0600 whatever the umask; an existing one is replaced in place. */
export function writePrivately(path: string, text: string): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
