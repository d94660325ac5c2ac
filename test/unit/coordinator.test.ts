import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decideDrain,
  decideEditLastTurn,
  decideInterrupt,
  decideRefusedSteer,
  decideStartTurn,
  shouldPromoteAfterEnd,
  type StartTurnCommand,
  type ThreadState,
} from '../../src/orchestrator/decide/coordinator.js';

const idle: ThreadState = { archived: false, runningTurnId: null, pendingCount: 0, leasedElsewhere: false };
const idleWithPending: ThreadState = { archived: false, runningTurnId: null, pendingCount: 2, leasedElsewhere: false };
const running: ThreadState = { archived: false, runningTurnId: 'turn_running', pendingCount: 0, leasedElsewhere: false };
const runningWithPending: ThreadState = { archived: false, runningTurnId: 'turn_running', pendingCount: 3, leasedElsewhere: false };
const runningFullQueue: ThreadState = { archived: false, runningTurnId: 'turn_running', pendingCount: 5, leasedElsewhere: false };
const archived: ThreadState = { archived: true, runningTurnId: null, pendingCount: 0, leasedElsewhere: false };
const archivedRunning: ThreadState = { archived: true, runningTurnId: 'turn_running', pendingCount: 1, leasedElsewhere: false };

const cmd = (over: Partial<StartTurnCommand> = {}): StartTurnCommand => ({ hostSupportsSteer: true, maxQueued: 5, ...over });

// §4.1 thread/startTurn
const startTurnCases: { title: string; state: ThreadState; command: StartTurnCommand; expected: unknown }[] = [
  {
    title: 'an idle thread with no pending admission starts the turn now',
    state: idle,
    command: cmd(),
    expected: { action: 'startNow' },
  },
  {
    title: 'an idle thread with no pending admission starts the turn now whatever the delivery',
    state: idle,
    command: cmd({ delivery: 'steer' }),
    expected: { action: 'startNow' },
  },
  {
    title: 'an idle thread with pending admissions appends the prompt and promotes the oldest',
    state: idleWithPending,
    command: cmd(),
    expected: { action: 'enqueueAndPromoteOldest' },
  },
  {
    title: 'a running turn with delivery "queue" admits the prompt as pending',
    state: running,
    command: cmd({ delivery: 'queue' }),
    expected: { action: 'enqueue' },
  },
  {
    title: 'a running turn with delivery "queue" admits behind earlier pending prompts',
    state: runningWithPending,
    command: cmd({ delivery: 'queue' }),
    expected: { action: 'enqueue' },
  },
  {
    title: 'a running turn with delivery "steer" on a host with steer support steers the running turn',
    state: running,
    command: cmd({ delivery: 'steer' }),
    expected: { action: 'steer' },
  },
  {
    title: 'a running turn with delivery "steer" on a host without steer support queues the prompt instead',
    state: running,
    command: cmd({ delivery: 'steer', hostSupportsSteer: false }),
    expected: { action: 'enqueue' },
  },
  {
    title: 'a running turn with delivery absent fails with ThreadBusy and admits nothing',
    state: runningWithPending,
    command: cmd(),
    expected: { action: 'reject', error: 'ThreadBusy' },
  },
  {
    title: 'a steer whose expectedTurnId is the running turn steers it',
    state: running,
    command: cmd({ delivery: 'steer', expectedTurnId: 'turn_running' }),
    expected: { action: 'steer' },
  },
  {
    title: 'a steer whose expectedTurnId is another turn than the running one fails with TurnMismatch',
    state: running,
    command: cmd({ delivery: 'steer', expectedTurnId: 'turn_other' }),
    expected: { action: 'reject', error: 'TurnMismatch' },
  },
  {
    title: 'an expectedTurnId when no turn runs fails with TurnMismatch',
    state: idle,
    command: cmd({ delivery: 'steer', expectedTurnId: 'turn_running' }),
    expected: { action: 'reject', error: 'TurnMismatch' },
  },
  {
    title: 'startTurn on an archived idle thread fails with ThreadArchived',
    state: archived,
    command: cmd(),
    expected: { action: 'reject', error: 'ThreadArchived' },
  },
  {
    title: 'startTurn on an archived thread fails with ThreadArchived before any other check',
    state: archivedRunning,
    command: cmd({ delivery: 'steer', expectedTurnId: 'turn_other' }),
    expected: { action: 'reject', error: 'ThreadArchived' },
  },
  {
    title: 'a queued prompt on a thread whose inbox holds --max-queued pending admissions fails with QueueFull',
    state: runningFullQueue,
    command: cmd({ delivery: 'queue' }),
    expected: { action: 'reject', error: 'QueueFull' },
  },
  {
    title: 'a steer that falls back to the queue on a full inbox fails with QueueFull',
    state: runningFullQueue,
    command: cmd({ delivery: 'steer', hostSupportsSteer: false }),
    expected: { action: 'reject', error: 'QueueFull' },
  },
  {
    title: 'a queued prompt is admitted while the inbox is one below --max-queued',
    state: { ...runningFullQueue, pendingCount: 4 },
    command: cmd({ delivery: 'queue' }),
    expected: { action: 'enqueue' },
  },
];

for (const { title, state, command, expected } of startTurnCases) {
  test(`thread/startTurn: ${title}`, () => {
    assert.deepStrictEqual(decideStartTurn(state, command), expected);
  });
}

// A steer the engine refused because its turn was finishing becomes a queued prompt.
const refusedSteerCases: { title: string; state: ThreadState; maxQueued: number; expected: unknown }[] = [
  { title: 'a refused steer is queued', state: running, maxQueued: 5, expected: { action: 'enqueue' } },
  {
    title: 'a refused steer on a full inbox fails with QueueFull',
    state: runningFullQueue,
    maxQueued: 5,
    expected: { action: 'reject', error: 'QueueFull' },
  },
];

for (const { title, state, maxQueued, expected } of refusedSteerCases) {
  test(`thread/startTurn: ${title}`, () => {
    assert.deepStrictEqual(decideRefusedSteer(state, maxQueued), expected);
  });
}

// §4.2 thread/editLastTurn
const editCases: { title: string; state: ThreadState; hasUserTurn: boolean; expected: unknown }[] = [
  { title: 'an idle thread with a user turn supersedes it', state: idle, hasUserTurn: true, expected: { action: 'supersede' } },
  {
    title: 'a running turn fails with ThreadBusy',
    state: running,
    hasUserTurn: true,
    expected: { action: 'reject', error: 'ThreadBusy' },
  },
  {
    title: 'a thread without a user message fails with NothingToEdit',
    state: idle,
    hasUserTurn: false,
    expected: { action: 'reject', error: 'NothingToEdit' },
  },
  {
    title: 'an archived thread fails with ThreadArchived',
    state: archived,
    hasUserTurn: true,
    expected: { action: 'reject', error: 'ThreadArchived' },
  },
];

for (const { title, state, hasUserTurn, expected } of editCases) {
  test(`thread/editLastTurn: ${title}`, () => {
    assert.deepStrictEqual(decideEditLastTurn(state, hasUserTurn), expected);
  });
}

// §4.3 thread/drain
const drainCases: { title: string; state: ThreadState; expected: unknown }[] = [
  { title: 'an idle thread with pending admissions promotes the oldest', state: idleWithPending, expected: { action: 'promoteOldest' } },
  { title: 'an idle thread with an empty inbox starts nothing', state: idle, expected: { action: 'none' } },
  { title: 'a thread with a running turn starts nothing', state: runningWithPending, expected: { action: 'none' } },
  {
    title: 'an archived thread fails with ThreadArchived',
    state: { ...idleWithPending, archived: true },
    expected: { action: 'reject', error: 'ThreadArchived' },
  },
];

for (const { title, state, expected } of drainCases) {
  test(`thread/drain: ${title}`, () => {
    assert.deepStrictEqual(decideDrain(state), expected);
  });
}

// §4.4 thread/interrupt
const interruptCases: { title: string; state: ThreadState; turnId?: string; expected: unknown }[] = [
  { title: 'a running turn is interrupted', state: running, expected: { action: 'interrupt' } },
  { title: 'a turnId naming the running turn interrupts it', state: running, turnId: 'turn_running', expected: { action: 'interrupt' } },
  { title: 'no running turn does nothing', state: idleWithPending, expected: { action: 'none' } },
  {
    title: 'a turnId that is not the running turn fails with TurnMismatch',
    state: running,
    turnId: 'turn_other',
    expected: { action: 'reject', error: 'TurnMismatch' },
  },
  {
    title: 'a turnId when nothing runs fails with TurnMismatch',
    state: idle,
    turnId: 'turn_old',
    expected: { action: 'reject', error: 'TurnMismatch' },
  },
];

for (const { title, state, turnId, expected } of interruptCases) {
  test(`thread/interrupt: ${title}`, () => {
    assert.deepStrictEqual(decideInterrupt(state, turnId), expected);
  });
}

// §4.1 "Queued prompts are promoted FIFO, one turn at a time, automatically as each turn ends"; §4.4 keepQueued.
const promoteCases: {
  title: string;
  status: 'completed' | 'failed' | 'interrupted';
  state: ThreadState;
  expected: boolean;
}[] = [
  { title: 'a completed turn promotes the next pending prompt', status: 'completed', state: idleWithPending, expected: true },
  { title: 'a failed turn promotes the next pending prompt', status: 'failed', state: idleWithPending, expected: true },
  { title: 'an interrupted turn leaves kept prompts for thread/drain', status: 'interrupted', state: idleWithPending, expected: false },
  { title: 'a completed turn with an empty inbox promotes nothing', status: 'completed', state: idle, expected: false },
  {
    title: 'a completed turn on an archived thread promotes nothing',
    status: 'completed',
    state: { ...idleWithPending, archived: true },
    expected: false,
  },
  { title: 'a turn ending while another runs promotes nothing', status: 'completed', state: runningWithPending, expected: false },
];

for (const { title, status, state, expected } of promoteCases) {
  test(`turn end: ${title}`, () => {
    assert.equal(shouldPromoteAfterEnd(status, state), expected);
  });
}

// §11 leases: the running turn belongs to another live server process on the same file.
const leased: ThreadState = { ...runningWithPending, leasedElsewhere: true };
const leaseCases: { title: string; decide: () => unknown; expected: unknown }[] = [
  { title: 'startTurn without delivery fails with ThreadBusy', decide: () => decideStartTurn(leased, cmd()), expected: { action: 'reject', error: 'ThreadBusy' } },
  { title: 'startTurn with delivery "queue" is admitted (the inbox is shared)', decide: () => decideStartTurn(leased, cmd({ delivery: 'queue' })), expected: { action: 'enqueue' } },
  { title: 'a steer fails with ThreadLeased', decide: () => decideStartTurn(leased, cmd({ delivery: 'steer' })), expected: { action: 'reject', error: 'ThreadLeased' } },
  {
    title: 'a steer pinned to another turn fails with TurnMismatch first',
    decide: () => decideStartTurn(leased, cmd({ delivery: 'steer', expectedTurnId: 'turn_other' })),
    expected: { action: 'reject', error: 'TurnMismatch' },
  },
  { title: 'editLastTurn fails with ThreadLeased', decide: () => decideEditLastTurn(leased, true), expected: { action: 'reject', error: 'ThreadLeased' } },
  { title: 'drain fails with ThreadLeased', decide: () => decideDrain(leased), expected: { action: 'reject', error: 'ThreadLeased' } },
  { title: 'interrupt fails with ThreadLeased', decide: () => decideInterrupt(leased), expected: { action: 'reject', error: 'ThreadLeased' } },
  {
    title: 'interrupt pinned to another turn fails with TurnMismatch first',
    decide: () => decideInterrupt(leased, 'turn_other'),
    expected: { action: 'reject', error: 'TurnMismatch' },
  },
];

for (const { title, decide, expected } of leaseCases) {
  test(`a thread leased by another process: ${title}`, () => {
    assert.deepStrictEqual(decide(), expected);
  });
}
