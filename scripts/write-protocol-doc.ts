// `npm run docs:write`: regenerates the generated regions of docs/PROTOCOL.md (records, method
// reference, events, notifications, errors) from the protocol package's tables.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderProtocolDoc } from './protocol-doc.js';

const path = new URL('../docs/PROTOCOL.md', import.meta.url);
writeFileSync(path, renderProtocolDoc(readFileSync(path, 'utf8')));
process.stdout.write(`wrote ${path.pathname}\n`);
