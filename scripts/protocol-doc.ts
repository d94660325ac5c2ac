// The generated regions of docs/PROTOCOL.md — records, methods (params, result, errors, an
// example), events, notifications, errors — rendered from the JSON Schema the protocol package
// builds from its method, event and error tables, so the reference cannot drift from the code.
// A region is `<!-- generated:NAME -->` … `<!-- /generated -->`; everything else is hand-written.
import { readFileSync } from 'node:fs';
import { EVENT_KINDS, METHOD_NAMES, buildJsonSchema } from '@threadline/protocol';

type Schema = Record<string, unknown>;
interface Example {
  request: Schema;
  events: [number, string][];
  response: Schema;
}
interface ErrorRow {
  name: string;
  code: number;
  kind: string;
  when: string;
}

const REGION = /<!-- generated:([a-z-]+) -->\n[\s\S]*?<!-- \/generated -->/g;

/** `doc` with every generated region rendered afresh (the hand-written text is kept as is). */
export function renderProtocolDoc(doc: string): string {
  const schema = buildJsonSchema() as Schema;
  const examples = loadExamples();
  const renderers: Record<string, () => string> = {
    records: () => records(schema),
    methods: () => methods(schema, examples),
    events: () => events(schema),
    notifications: () => notifications(schema),
    errors: () => errors(schema),
  };
  return doc.replace(REGION, (_all, name: string) => {
    const render = renderers[name];
    if (!render) throw new Error(`docs/PROTOCOL.md: unknown generated region "${name}"`);
    return `<!-- generated:${name} -->\n${render().trimEnd()}\n<!-- /generated -->`;
  });
}

export function loadExamples(): Record<string, Example> {
  return JSON.parse(readFileSync(new URL('./protocol-examples.json', import.meta.url), 'utf8')) as Record<string, Example>;
}

const RECORDS = ['Thread', 'Turn', 'Item', 'Admission', 'Usage', 'RoutingRule', 'ApprovalRequest', 'ApprovalRule', 'RuleMatch'];

function defs(schema: Schema): Record<string, Schema> {
  return schema.$defs as Record<string, Schema>;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The type of a property, as TypeScript-like text with its bounds and default. */
function typeText(s: Schema): string {
  let base: string;
  if (typeof s.$ref === 'string') base = s.$ref.replace('#/$defs/', '');
  else if ('const' in s) base = JSON.stringify(s.const);
  else if (Array.isArray(s.enum)) base = s.enum.map((v) => JSON.stringify(v)).join(' | ');
  else if (Array.isArray(s.anyOf)) base = (s.anyOf as Schema[]).map(typeText).join(' | ');
  else if (s.type === 'array') {
    const item = typeText((s.items ?? {}) as Schema);
    base = item.includes(' ') ? `(${item})[]` : `${item}[]`;
  } else if (typeof s.type === 'string') base = s.type;
  else base = 'any';
  const bounds: string[] = typeof s.format === 'string' ? [s.format] : [];
  const min = s.minimum ?? s.minLength ?? (typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : undefined);
  const max = s.maximum ?? s.maxLength;
  const unit = s.type === 'string' ? ' chars' : '';
  if (typeof max === 'number' && max < Number.MAX_SAFE_INTEGER) bounds.push(`${min ?? 0}..${max}${unit}`);
  else if (typeof min === 'number' && min > 0) bounds.push(`≥ ${min}${unit}`);
  if ('default' in s) bounds.push(`default ${JSON.stringify(s.default)}`);
  return bounds.length > 0 ? `${base} (${bounds.join(', ')})` : base;
}

/** Rows `| field | type | description |` of an object, nested objects as `a.b` rows. */
function fieldRows(def: Schema, prefix = ''): string[] {
  const props = (def.properties ?? {}) as Record<string, Schema>;
  const required = new Set((def.required ?? []) as string[]);
  const rows: string[] = [];
  // Required fields first, each group in name order (the schema's keys are sorted).
  const keys = Object.keys(props).sort((a, b) => Number(required.has(b)) - Number(required.has(a)));
  for (const key of keys) {
    const prop = props[key]!;
    const name = `${prefix}${key}${required.has(key) ? '' : '?'}`;
    const nested = prop.type === 'object' && prop.properties;
    rows.push(`| \`${name}\` | ${nested ? 'object' : `\`${cell(typeText(prop))}\``} | ${cell(String(prop.description ?? ''))} |`);
    if (nested) rows.push(...fieldRows(prop, `${prefix}${key}.`));
  }
  return rows;
}

function table(def: Schema): string {
  if (def.type === 'null') return 'Always `null`.\n';
  const rows = fieldRows(def);
  if (rows.length === 0) return 'No fields: `{}`.\n';
  return `| field | type | description |\n|---|---|---|\n${rows.join('\n')}\n`;
}

function records(schema: Schema): string {
  return RECORDS.map((name) => {
    const def = defs(schema)[name]!;
    return `### ${name}\n${String(def.description)}\n\n${table(def)}`;
  }).join('\n');
}

function methods(schema: Schema, examples: Record<string, Example>): string {
  const all = defs(schema);
  const byCode = new Map((schema['x-errors'] as ErrorRow[]).map((e) => [e.name, e]));
  const out: string[] = [];
  for (const method of METHOD_NAMES) {
    const [name, def] = Object.entries(all).find(
      ([, d]) => d['x-method'] === method && d['x-role'] === 'params' && d['x-direction'] === 'client-to-server',
    )!;
    const [resultName, result] = Object.entries(all).find(([, d]) => d['x-method'] === method && d['x-role'] === 'result')!;
    const errorNames = (def['x-errors'] ?? []) as string[];
    const errorText =
      errorNames.length === 0
        ? 'Only the errors every method may answer (§7).'
        : `${errorNames.map((n) => `${byCode.get(n)!.code} ${n}`).join(', ')}; and those every method may answer (§7).`;
    const example = examples[method];
    out.push(
      `### \`${method}\`\n${String(def.description)}\n\n` +
        `**Params** (\`${name}\`)\n\n${table(def)}\n` +
        `**Result** (\`${resultName}\`): ${String(result.description)}\n\n${table(result)}\n` +
        `**Errors**: ${errorText}\n` +
        (example ? `\n**Example**\n\n${exampleBlock(example)}` : ''),
    );
  }
  return out.join('\n');
}

function exampleBlock(example: Example): string {
  const lines = [`→ ${JSON.stringify(example.request)}`];
  if (example.events.length > 0) {
    const kinds = example.events.map(([seq, kind]) => `${kind} (seq ${seq})`).join(', ');
    lines.push(`← ${example.events.length} × thread/event: ${kinds}`);
  }
  lines.push(`← ${JSON.stringify(example.response)}`);
  return `\`\`\`\n${lines.join('\n')}\n\`\`\`\n`;
}

function events(schema: Schema): string {
  const all = defs(schema);
  const envelope = { ...all.ThreadCreatedEvent!, properties: { ...(all.ThreadCreatedEvent!.properties as Schema) } };
  delete (envelope.properties as Schema).payload;
  (envelope.properties as Schema).kind = { ...(all.ThreadEvent!.properties as Record<string, Schema>).kind };
  const mapping = (all.ThreadEvent!.discriminator as { mapping: Record<string, string> }).mapping;
  const rows = EVENT_KINDS.map((kind) => {
    const ref = mapping[kind]!;
    const event = all[ref.replace('#/$defs/', '')]!;
    const payload = all[((event.properties as Record<string, Schema>).payload!.$ref as string).replace('#/$defs/', '')]!;
    const required = new Set((payload.required ?? []) as string[]);
    const fields = Object.entries((payload.properties ?? {}) as Record<string, Schema>)
      .map(([key, prop]) => `\`${key}${required.has(key) ? '' : '?'}\`: \`${cell(typeText(prop))}\``)
      .join('<br>');
    return `| \`${kind}\` | ${cell(String(payload.description))} | ${fields} |`;
  });
  return (
    `**Envelope** (every event; \`ThreadEvent\`)\n\n${table(envelope)}\n` +
    `**Kinds and payloads** (payload definitions: \`<Kind>Payload\`; whole events: \`<Kind>Event\`)\n\n` +
    `| kind | meaning | payload |\n|---|---|---|\n${rows.join('\n')}\n`
  );
}

function notifications(schema: Schema): string {
  const all = defs(schema);
  const rows = Object.entries(all)
    .filter(([, d]) => d['x-message'] === 'notification')
    .map(([name, d]) => `| \`${String(d['x-method'])}\` | ${String(d['x-direction'])} | \`${name}\` | ${cell(String(d.description))} |`)
    .sort();
  const request = all.ApprovalRequestParams!;
  const answer = all.ApprovalRequestResult!;
  return (
    `| method | direction | params | meaning |\n|---|---|---|---|\n${rows.join('\n')}\n\n` +
    `**\`approval/request\`** (server → client request). Params (\`ApprovalRequestParams\`): ${String(request.description)}\n\n${table(request)}\n` +
    `Result (\`ApprovalRequestResult\`): ${String(answer.description)}\n\n${table(answer)}`
  );
}

function errors(schema: Schema): string {
  const all = defs(schema);
  const rows = (schema['x-errors'] as ErrorRow[]).map((e) => {
    const data = all[`${e.name}ErrorData`]!;
    const required = new Set((data.required ?? []) as string[]);
    const fields = Object.entries((data.properties ?? {}) as Record<string, Schema>)
      .filter(([key]) => key !== 'kind')
      .map(([key, prop]) => `\`${key}${required.has(key) ? '' : '?'}\` (${cell(String(prop.description))})`)
      .join('<br>');
    return `| ${e.code} | ${e.name} | \`${e.kind}\` | ${fields || '—'} | ${cell(e.when)} |`;
  });
  return `| code | name | \`data.kind\` | other \`data\` fields | when |\n|---|---|---|---|---|\n${rows.join('\n')}\n`;
}
