// `npm run schema:write`: regenerates schema/threadline.schema.json from the protocol's zod schemas.
import { writeFileSync } from 'node:fs';
import { buildJsonSchema } from '@threadline/protocol';

const path = new URL('../schema/threadline.schema.json', import.meta.url);
writeFileSync(path, `${JSON.stringify(buildJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${path.pathname}\n`);
