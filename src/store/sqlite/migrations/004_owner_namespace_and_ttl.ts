/**
 * Issue 10 §7: an owner is judged by what it recorded, not by the judging process's view.
 * `pid_namespace` names the PID namespace its pid belongs to (a pid is only checked from the same
 * one); `lease_ttl_ms` is its own `--lease-ttl`, by which its row is judged stale. Rows from before
 * this migration have neither: their pid is never checked, and their ttl is taken as the largest
 * of the judging process's and the default.
 */
export const sql = `
ALTER TABLE owners ADD COLUMN pid_namespace TEXT;
ALTER TABLE owners ADD COLUMN lease_ttl_ms INTEGER;
`;
