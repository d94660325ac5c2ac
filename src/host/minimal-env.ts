/**
 * The environment a built-in host hands to what it spawns (an `exec` engine, a tool shell). Not
 * the server's whole: it holds secrets (OPENAI_API_KEY, cloud credentials, tokens) a child has no
 * business with, and a child may show what it sees to a model. It gets what programs need to run
 * and to find the user's files, locale and terminal, plus the variables the user names.
 */
export const MINIMAL_ENV_NAMES = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'TERM', 'TMPDIR', 'TZ'] as const;
const LOCALE = /^LC_[A-Z_]+$/;

/** On Windows a process cannot even start its runtime without these. */
const WINDOWS_NAMES = ['SYSTEMROOT', 'WINDIR', 'COMSPEC', 'PATHEXT', 'TEMP', 'TMP', 'USERPROFILE'] as const;

/** A variable name a user may pass through by name. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses a host option listing variable names, `NAME1,NAME2` (spaces around them ignored). */
export function parseVariableNames(option: string, optionName = 'env'): string[] {
  const names = option.split(',').map((name) => name.trim()).filter(Boolean);
  const bad = names.find((name) => !ENV_NAME.test(name));
  if (bad !== undefined) throw new Error(`${optionName}: "${bad}" is not an environment variable name (expected NAME1,NAME2)`);
  return names;
}

/** The minimal variables, `LC_*`, and the `extra` names, taken from `from` (what it lacks stays unset). */
export function minimalEnvironment(extra: readonly string[], from: NodeJS.ProcessEnv = process.env, platform = process.platform): NodeJS.ProcessEnv {
  const names = new Set<string>([...MINIMAL_ENV_NAMES, ...(platform === 'win32' ? WINDOWS_NAMES : []), ...extra]);
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(from)) {
    if (value !== undefined && (names.has(name) || LOCALE.test(name))) env[name] = value;
  }
  return env;
}
