import { sql as init } from './001_init.js';
import { sql as approvalRules } from './002_approval_rules.js';
import { sql as contextAndMcp } from './003_context_and_mcp.js';
import { sql as ownerMachine } from './004_owner_machine.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration in order; forward only, never edited once released. `schema_version` = the last applied. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: '001_init', sql: init },
  { version: 2, name: '002_approval_rules', sql: approvalRules },
  { version: 3, name: '003_context_and_mcp', sql: contextAndMcp },
  { version: 4, name: '004_owner_machine', sql: ownerMachine },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
