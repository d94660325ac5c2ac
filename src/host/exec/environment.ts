/**
 * The environment an engine process gets. Not ours whole: it holds secrets (OPENAI_API_KEY, cloud
 * credentials, tokens) an engine has no business with, and an engine may hand what it sees to a
 * model. It gets only what programs need to run and to find the user's files and locale, the same
 * list the openai host's shell tool passes, plus the variables the user names with the host
 * option `env=NAME1,NAME2`.
 */
export const PASSED_VARIABLES = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TERM', 'TMPDIR', 'TZ'] as const;

/** On Windows a process cannot even start its runtime without these. */
const WINDOWS_VARIABLES = ['SYSTEMROOT', 'WINDIR', 'COMSPEC', 'PATHEXT', 'TEMP', 'TMP', 'USERPROFILE'] as const;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses the `env` host option: variable names separated by commas (spaces around them ignored). */
export function parseVariableNames(option: string): string[] {
  const names = option.split(',').map((name) => name.trim()).filter(Boolean);
  const bad = names.find((name) => !NAME.test(name));
  if (bad !== undefined) throw new Error(`env: "${bad}" is not an environment variable name (expected NAME1,NAME2)`);
  return names;
}

/** The minimal environment plus `extra` names, taken from `from` (variables it lacks stay unset). */
export function engineEnvironment(extra: readonly string[], from: NodeJS.ProcessEnv = process.env, platform = process.platform): NodeJS.ProcessEnv {
  const names = [...PASSED_VARIABLES, ...(platform === 'win32' ? WINDOWS_VARIABLES : []), ...extra];
  const env: NodeJS.ProcessEnv = {};
  for (const name of names) {
    const value = from[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
