declare const THREADLINE_VERSION: string | undefined;

/** Set by the esbuild bundle from package.json; "dev" when run from source. */
export const VERSION: string = typeof THREADLINE_VERSION === 'string' ? THREADLINE_VERSION : 'dev';
