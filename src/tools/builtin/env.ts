import { minimalEnvironment } from '../../host/minimal-env.js';

const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/** What a tool shell inherits: the minimal environment plus `shellEnv` names, and always a PATH. */
export function shellEnvironment(extra: readonly string[], from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = minimalEnvironment(extra, from);
  env.PATH ??= DEFAULT_PATH;
  return env;
}
