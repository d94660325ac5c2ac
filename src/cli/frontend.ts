import { readFileSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

type Frontend = { runFrontend(command: string, args: string[]): Promise<number> };

/**
 * `chat` and `schema` live in the frontend package (clients/chat), built into its own bundle next
 * to the server's (dist/chat.cjs) and loaded only when one of them runs: serve and acp never load
 * its code, so their start-up does not change. Like bin/threadline does for the server bundle,
 * it is compiled with V8's code cache (dist/chat.cjs.cache, made by `npm run build`), which takes
 * a third off chat's time to its first prompt.
 */
export async function runFrontend(command: string, args: string[]): Promise<number> {
  const file = join(typeof __dirname === 'string' ? __dirname : dirname(process.argv[1] ?? '.'), 'chat.cjs');
  const cachePath = `${file}.cache`;
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cachePath);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
  const mod = new Module(file);
  mod.filename = file;
  script.runInThisContext()(mod.exports, createRequire(file), mod, file, dirname(file));
  const code = await (mod.exports as Frontend).runFrontend(command, args);
  // After the run, so the cache also holds the functions it compiled (the protocol's schemas).
  if (process.env.THREADLINE_WRITE_CHAT_CODE_CACHE === '1') writeFileSync(cachePath, script.createCachedData());
  return code;
}
