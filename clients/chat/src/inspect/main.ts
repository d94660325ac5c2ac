import { INSPECT_HELP, parseInspectArgs } from './args.js';

/** `threadline inspect`: --help, or the read-only inspection (run.ts, loaded only then). */
export async function inspectCommand(args: string[]): Promise<number> {
  const options = parseInspectArgs(args);
  if (options.help) {
    process.stdout.write(INSPECT_HELP);
    return 0;
  }
  return (await import('./run.js')).inspect(options);
}
