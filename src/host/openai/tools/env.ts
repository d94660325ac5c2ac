/**
 * What a tool shell inherits of the server's environment: enough for ordinary commands to find
 * programs, a home, a locale and a terminal type, and nothing else. The server's own secrets
 * (OPENAI_API_KEY, cloud credentials, tokens) stay out unless the user names them in `shellEnv`.
 */
export const SHELL_ENV_NAMES = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'TERM', 'TMPDIR', 'TZ'] as const;
const LOCALE = /^LC_[A-Z_]+$/;
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/** A variable name a user may pass through (`--host-option shellEnv=NAME1,NAME2`). */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function shellEnvironment(extra: readonly string[], from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(from)) {
    if (value === undefined) continue;
    if ((SHELL_ENV_NAMES as readonly string[]).includes(name) || LOCALE.test(name) || extra.includes(name)) env[name] = value;
  }
  env.PATH ??= DEFAULT_PATH;
  return env;
}
