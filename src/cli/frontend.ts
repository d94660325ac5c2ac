import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * `chat` and `schema` live in the frontend package (clients/chat), built into its own bundle next
 * to the server's (dist/chat.cjs) and required only when one of them runs: serve and acp never
 * load its code, so their start-up does not change.
 */
export function runFrontend(command: string, args: string[]): Promise<number> {
  const file = join(typeof __dirname === 'string' ? __dirname : dirname(process.argv[1] ?? '.'), 'chat.cjs');
  const frontend = createRequire(file)(file) as { runFrontend(command: string, args: string[]): Promise<number> };
  return frontend.runFrontend(command, args);
}
