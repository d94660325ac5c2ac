import { fileURLToPath } from 'node:url';

/** Where the benchmark finds the server and puts what it produces. */
const at = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

export const REPO = at('../../');
export const BIN = at('../../bin/threadline');
export const BASELINES_SRC = at('../baselines/');
/** The baselines bundled by esbuild exactly like the server (gitignored). */
export const BASELINES_DIST = at('../dist/');
/** `--cpu-prof` output of the server (gitignored). */
export const PROFILES = at('../profiles/');
export const RESULTS = at('../results.json');
