import * as z from 'zod/mini';
import { en } from 'zod/locales';

// Process-wide settings of zod (kept on globalThis, so every bundle's copy of zod shares them),
// made before any schema is built or parsed. Imported first by main.ts and acp-main.ts.
//
// No JIT: zod 4 compiles object schemas' parsers with `new Function`, code that V8's code cache
// never holds, and probes `new Function` at the first object schema. For this process the JIT
// costs more at start-up (about 4 ms of CPU before the first `thread/list`, bench/startup-ab.ts)
// than it saves later: an interpreted parse of thread/startTurn's params takes ~2.7 µs instead of
// ~1.2 µs, against hundreds of µs per admission. A schema reads the setting when it is constructed.
//
// English messages: zod/mini installs none by itself (classic zod installs English when it
// builds its first schema), and -32602's message is made of them.
z.config({ jitless: true, ...en() });
