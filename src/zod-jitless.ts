import * as z from 'zod';

// zod 4 compiles object schemas' parsers with `new Function` (its JIT), code that V8's code cache
// never holds, and probes `new Function` at the first object schema. For this process the JIT
// costs more at start-up (about 4 ms of CPU before the first `thread/list`, bench/startup-ab.ts)
// than it saves later: an interpreted parse of thread/startTurn's params takes ~2.7 µs instead of
// ~1.2 µs, against hundreds of µs per admission. Imported first by main.ts, before any schema is
// built (a schema reads the setting when it is constructed). Process-wide: hosts' zod shares it.
z.config({ jitless: true });
