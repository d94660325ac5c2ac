import { describe } from 'node:test';
import { admissionContract } from './admissions.js';
import { approvalRuleContract } from './approval-rules.js';
import { changeFeedContract } from './change-feed.js';
import { eventContract } from './events.js';
import { opener, type StoreFactory } from './fixtures.js';
import { itemContract } from './items.js';
import { ownerContract } from './owners.js';
import { recordContract } from './records.js';
import { reportContract } from './reports.js';
import { clientRequestContract, routingContract } from './requests-routing.js';
import { seqContract } from './seq.js';
import { threadContract } from './threads.js';
import { transactionContract } from './transactions.js';
import { turnContract } from './turns.js';

export type { StoreFactory, StoreHarness } from './fixtures.js';

/**
 * The store port's contract (src/store/port.ts), written once and run against every adapter:
 * each test gets a fresh store from `factory` and uses it only through the port. A factory that
 * offers `reopen` and `otherConnection` also gets the durability, snapshot and change-feed tests.
 */
export function describeStoreContract(name: string, factory: StoreFactory): void {
  const open = opener(factory);
  describe(`store contract: ${name}`, () => {
    recordContract(open);
    threadContract(open);
    seqContract(open);
    turnContract(open);
    itemContract(open);
    admissionContract(open);
    eventContract(open);
    clientRequestContract(open);
    routingContract(open);
    ownerContract(open);
    reportContract(open);
    approvalRuleContract(open);
    transactionContract(open);
    changeFeedContract(open);
  });
}
