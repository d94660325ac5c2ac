/** Who holds a thread's running turn, as seen inside a transaction. */
export type LeaseHolder =
  | { kind: 'none' }
  | { kind: 'self' }
  | { kind: 'live'; ownerPid: number; expiresAt: string }
  /** Its lease expired, or its process is surely gone: any process may recover the turn. */
  | { kind: 'dead'; turnId: string };
