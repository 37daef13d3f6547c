import { sql } from 'kysely';
import type { Service } from './service';

export type RowCounts = Record<string, number>;

/** Exact row counts of every table of the service (the bench's own and the migrator's left out). */
export async function countRows(service: Service): Promise<RowCounts> {
  const { rows: tables } = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'kysely_%' AND table_name NOT LIKE 'bench_%'
    ORDER BY 1`.execute(service.db);
  const counts: RowCounts = {};
  for (const { name } of tables) {
    const { rows } = await sql<{ count: number }>`SELECT count(*)::int AS count FROM ${sql.table(name)}`.execute(service.db);
    counts[name] = rows[0].count;
  }
  return counts;
}

/** Rows added per event, by table and in total (tables that gained nothing are left out). */
export function rowsPerEvent(before: RowCounts, after: RowCounts, events: number): { total: number; byTable: Record<string, number> } {
  const byTable: Record<string, number> = {};
  let total = 0;
  for (const [table, count] of Object.entries(after)) {
    const added = count - (before[table] ?? 0);
    if (added <= 0) continue;
    byTable[table] = Math.round((added / events) * 100) / 100;
    total += added;
  }
  return { total: Math.round((total / events) * 100) / 100, byTable };
}

export interface HistoryCost {
  /** Runs, counting each continue-as-new. */
  runs: number;
  events: number;
  signals: number;
}

/** Sums the histories of a workspace's workflows of one type, across every run (continue-as-new included). */
export async function workflowHistory(service: Service, workspaceId: string, workflowType: string): Promise<HistoryCost> {
  const cost: HistoryCost = { runs: 0, events: 0, signals: 0 };
  const query = `WorkspaceId = "${workspaceId}" AND WorkflowType = "${workflowType}"`;
  for await (const run of service.temporal.workflow.list({ query })) {
    const history = await service.temporal.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    const events = history.events ?? [];
    cost.runs += 1;
    cost.events += events.length;
    cost.signals += events.filter((event) => event.workflowExecutionSignaledEventAttributes).length;
  }
  return cost;
}

/** History added between two measurements, per 1,000 units of work (webhooks, deliveries). */
export function historyPerThousand(before: HistoryCost, after: HistoryCost, units: number) {
  const per = (value: number) => Math.round((value * 1000 * 10) / units) / 10;
  return {
    runs: after.runs - before.runs,
    events: after.events - before.events,
    signals: after.signals - before.signals,
    eventsPerThousand: per(after.events - before.events),
    signalsPerThousand: per(after.signals - before.signals),
  };
}
