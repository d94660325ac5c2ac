/** `--db` names Postgres with a postgres:// or postgresql:// URL; anything else is a SQLite path. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** The URL as shown to people (`location`, `initialize`'s dbPath, logs): without its password. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = '';
    return parsed.toString();
  } catch {
    // Not a URL the WHATWG parser takes: cut whatever sits between the user's ':' and '@'.
    return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/i, '$1@');
  }
}

/** The password the URL holds, as written and decoded, to strip from any message the driver makes. */
export function secretsOf(url: string): string[] {
  try {
    const { password } = new URL(url);
    return password ? [password, decodeURIComponent(password)] : [];
  } catch {
    const raw = /^postgres(?:ql)?:\/\/[^:/@]*:([^@]*)@/i.exec(url)?.[1];
    return raw ? [raw] : [];
  }
}
