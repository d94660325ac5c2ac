import { sql as init } from './001_init.js';
import { sql as queuedCount } from './002_queued_count.js';
import { sql as ownersAndLeases } from './003_owners_and_leases.js';
import { sql as ownerNamespaceAndTtl } from './004_owner_namespace_and_ttl.js';
import { sql as history } from './005_history.js';
import { sql as search } from './006_search.js';
import { sql as approvalRules } from './007_approval_rules.js';
import { sql as searchWithoutTriggers } from './008_search_without_triggers.js';
import { sql as contextAndMcp } from './009_context_and_mcp.js';
import { sql as ownerMachine } from './010_owner_machine.js';
import { sql as dropAdmissionsPending } from './011_drop_admissions_pending.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration in order; forward only, never edited once released. `user_version` = the last applied. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: '001_init', sql: init },
  { version: 2, name: '002_queued_count', sql: queuedCount },
  { version: 3, name: '003_owners_and_leases', sql: ownersAndLeases },
  { version: 4, name: '004_owner_namespace_and_ttl', sql: ownerNamespaceAndTtl },
  { version: 5, name: '005_history', sql: history },
  { version: 6, name: '006_search', sql: search },
  { version: 7, name: '007_approval_rules', sql: approvalRules },
  { version: 8, name: '008_search_without_triggers', sql: searchWithoutTriggers },
  { version: 9, name: '009_context_and_mcp', sql: contextAndMcp },
  { version: 10, name: '010_owner_machine', sql: ownerMachine },
  { version: 11, name: '011_drop_admissions_pending', sql: dropAdmissionsPending },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
