import { type Transaction, sql } from 'kysely';
import type { ConversionInput } from '../../providers/types';
import type { Database } from '../schema';
import type { InboundFacts } from './inbound-facts';

type Trx = Transaction<Database>;

/** A refund row of one payment, stored or about to be inserted by this batch. */
interface Entry {
  externalId: string;
  /** The amount step of the payment's refunds the row stands for; it has no refund id while `step === externalId`. */
  step: string | null;
  amount: number | null;
  stored?: { id: string; externalId: string; step: string | null };
}

const groupKey = (workspaceId: string, provider: string, payment: string) => JSON.stringify([workspaceId, provider, payment]);

/**
 * Some providers report one refund twice, in different shapes: with the refund's own id, and elsewhere only
 * as an amount step of its payment's refunds (`ConversionInput.refundOf`). Reports of one payment are paired
 * one to one by amount, so each refund is one row whichever reports arrive, in whatever order:
 * - a report with the id is a repeat of the row with that id; else it takes over a row of a step of the same
 *   amount that no id took yet (the row is renamed to the refund's id); else it is a new row;
 * - a step report is a repeat of the row standing for that step; else it joins a row with an id of the same
 *   amount that stands for no step yet; else it is a new row under the step's id.
 * For each amount the two kinds pair off until one runs out, so the rows end the same in any order: one per
 * refund, the refund's id where a report had it. Reports that join a row are rewritten to that row's key, so
 * the conversions insert takes them as repeats (they fill blanks, announce nothing).
 */
export async function reconcileRefundReports(trx: Trx, batch: InboundFacts[]): Promise<InboundFacts[]> {
  const reports = batch.flatMap(({ origin, effects }) =>
    effects.flatMap((effect) =>
      effect.kind === 'conversion' && effect.conversion.type === 'refund' && effect.conversion.refundOf
        ? [{ group: groupKey(origin.workspaceId, origin.provider, effect.conversion.refundOf.payment), input: effect.conversion }]
        : [],
    ),
  );
  if (reports.length === 0) return batch;
  const groups = await storedEntries(trx, [...new Set(reports.map((report) => report.group))]);

  const entryOf = new Map<ConversionInput, Entry>();
  for (const { group, input } of reports) {
    const entries = groups.get(group)!;
    const amount = input.amountMinor ?? null;
    const sameAmount = (entry: Entry) => amount !== null && entry.amount === amount;
    const step = input.refundOf!.step;
    const joined = step === undefined
      ? entries.find((entry) => entry.externalId === input.externalId) ?? entries.find((entry) => entry.step === entry.externalId && sameAmount(entry))
      : entries.find((entry) => entry.step === step) ?? entries.find((entry) => entry.step === null && sameAmount(entry));
    if (joined && step === undefined) joined.externalId = input.externalId;
    else if (joined) joined.step = step!;
    const entry = joined ?? { externalId: input.externalId, step: step ?? null, amount };
    if (!joined) entries.push(entry);
    entryOf.set(input, entry);
  }

  await renameStoredRows(trx, [...groups.values()].flat());
  return batch.map(({ origin, effects }) => ({
    origin,
    effects: effects.map((effect) => {
      const entry = effect.kind === 'conversion' ? entryOf.get(effect.conversion) : undefined;
      if (effect.kind !== 'conversion' || !entry) return effect;
      const { externalId, refundOf } = effect.conversion;
      if (entry.externalId === externalId && (entry.step ?? undefined) === refundOf!.step) return effect;
      return { ...effect, conversion: { ...effect.conversion, externalId: entry.externalId, refundOf: { payment: refundOf!.payment, ...(entry.step !== null && { step: entry.step }) } } };
    }),
  }));
}

/**
 * The stored refund rows of each payment, after locking the payments (in key order) for the transaction:
 * two drains pairing reports of the same payment at once would each miss the other's row.
 */
async function storedEntries(trx: Trx, groups: string[]): Promise<Map<string, Entry[]>> {
  const sorted = [...groups].sort();
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(payment, 0)) FROM (SELECT unnest(${sorted}::text[]) AS payment ORDER BY 1) AS payments`.execute(trx);
  const rows = await trx
    .selectFrom('conversions')
    .select(['id', 'workspace_id', 'provider', 'refund_payment', 'external_id', 'refund_step', 'amount_minor'])
    .where('type', '=', 'refund')
    .where((eb) => eb(eb.refTuple('workspace_id', 'provider', 'refund_payment'), 'in', sorted.map((group) => {
      const [workspace, provider, payment] = JSON.parse(group) as [string, string, string];
      return eb.tuple(workspace, provider, payment);
    })))
    .execute();
  const entries = new Map(sorted.map((group) => [group, [] as Entry[]]));
  for (const row of rows) {
    entries.get(groupKey(row.workspace_id, row.provider, row.refund_payment!))!.push({
      externalId: row.external_id,
      step: row.refund_step,
      amount: row.amount_minor === null ? null : Number(row.amount_minor),
      stored: { id: row.id, externalId: row.external_id, step: row.refund_step },
    });
  }
  return entries;
}

/** Stored rows a report took over (renamed to the refund's id) or joined (now standing for a step too), in one statement. */
async function renameStoredRows(trx: Trx, entries: Entry[]): Promise<void> {
  const changed = entries.filter(({ stored, externalId, step }) => stored && (stored.externalId !== externalId || stored.step !== step));
  if (changed.length === 0) return;
  const values = changed.map((entry) => sql`(${entry.stored!.id}, ${entry.externalId}, ${entry.step}::text)`);
  await sql`UPDATE conversions SET external_id = v.external_id, refund_step = v.step
    FROM (VALUES ${sql.join(values)}) AS v(id, external_id, step) WHERE conversions.id = v.id`.execute(trx);
}
