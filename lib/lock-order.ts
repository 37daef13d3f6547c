/**
 * Orders keys by UTF-16 code units: one order for every process, whatever the database's collation.
 * Statements that write rows under unique keys wait for one another's uncommitted keys; when each writes
 * its keys in this order, none can wait for a key behind one it holds, so two never deadlock.
 */
export const byLockOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
