import { setTimeout as delay } from 'node:timers/promises';
import { openSecrets } from '../../db/queries/secrets';
import type { ConversionRow, InboxResult } from '../../db/schema';
import { type ExpectedConversion, type SampleEvent, SampleUnavailableError } from '../../providers/types';
import { inboundWebhookUrl } from '../../lib/config';
import { TEST_EVENT_HEADER, testEventMark } from '../../lib/test-events';
import type { StepResult, TestRunContext } from './types';

/** How long the runner waits for the workflow to drain the sample (it is processed asynchronously, like any webhook). */
const PROCESSING_WAIT_MS = 20_000;

const step = (name: StepResult['name'], ok: boolean, detail: string, data?: Record<string, unknown>): StepResult => ({ name, direction: 'inbound', ok, detail, ...(data ? { data } : {}) });

interface Sent {
  status: number;
  answer: unknown;
}

async function send(url: string, headers: Record<string, string>, body: string): Promise<Sent> {
  const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  try {
    return { status: response.status, answer: JSON.parse(text) };
  } catch {
    return { status: response.status, answer: text };
  }
}

async function settledRows({ db, row }: TestRunContext, eventIds: string[]) {
  const deadline = Date.now() + PROCESSING_WAIT_MS;
  for (;;) {
    const rows = await db
      .selectFrom('inbox')
      .select(['id', 'dedup_key', 'status', 'reason', 'result', 'duplicate_count', 'is_test'])
      .where('integration_id', '=', row.id)
      .where('dedup_key', 'in', eventIds)
      .orderBy('id')
      .execute();
    if ((rows.length === eventIds.length && rows.every((entry) => entry.status !== 'pending')) || Date.now() > deadline) return rows;
    await delay(100);
  }
}

function buildSample(ctx: TestRunContext, url: string): SampleEvent | string {
  const { provider, row, box } = ctx;
  try {
    return provider.sampleEvent!({
      settings: provider.settingsSchema.parse(row.settings),
      secrets: openSecrets(box, row),
      url,
      nowMs: Date.now(),
      runId: ctx.runId,
    });
  } catch (error) {
    if (error instanceof SampleUnavailableError) return error.message;
    throw error;
  }
}

/** Where each row the sample's events produced can be read through the API (a batch's events may touch the same rows). */
function landedAt(integrationId: string, inboxId: number, results: Array<InboxResult | null>) {
  const all = (pick: (result: InboxResult) => string[]) => [...new Set(results.flatMap((result) => (result ? pick(result) : [])))];
  return {
    inboxId,
    webhookEventsPath: `/v1/integrations/${integrationId}/webhook-events`,
    conversions: all((result) => result.conversionIds).map((id) => ({ id, path: `/v1/conversions/${id}` })),
    customers: all((result) => result.customerIds).map((id) => ({ id, path: `/v1/customers/${id}` })),
    events: all((result) => result.eventIds).map((id) => ({ id, path: `/v1/events/${id}` })),
  };
}

/**
 * The inbound checklist: a realistic sample signed with the integration's own secret goes through the
 * public webhook route (marked as test data), is followed into the inbox and the rows it produced,
 * compared with what was sent, then sent again to prove it produces nothing twice.
 */
export async function runInboundTest(ctx: TestRunContext): Promise<StepResult[]> {
  const { box, config, row, provider } = ctx;
  const url = inboundWebhookUrl(config, row);
  // Its secrets are wiped: nothing could be signed, and the route answers 410 Gone to anything.
  if (row.state === 'disconnected') return [step('send', false, `not sent: the integration is disconnected, POST ${url} answers 410 Gone`)];
  const sample = buildSample(ctx, url);
  if (typeof sample === 'string') return [step('send', false, `no sample could be built: ${sample}`)];
  const headers = { 'content-type': 'application/json', ...sample.headers, [TEST_EVENT_HEADER]: testEventMark(box, sample.body) };
  const eventIds = provider.inbound!.parse({ method: 'POST', url, headers, rawBody: Buffer.from(sample.body) }).map((event) => event.dedupKey);

  const first = await send(url, headers, sample.body).catch((error: Error) => ({ status: 0, answer: error.message }));
  const sendStep = step('send', first.status === 200, `POST ${url} answered ${first.status || 'nothing'}`, { eventIds, answer: first.answer, expected: sample.expected });
  if (first.status !== 200) return [sendStep];

  const rows = await settledRows(ctx, eventIds);
  const [inbox] = rows;
  const unprocessed = rows.length < eventIds.length ? undefined : rows.find((entry) => entry.status !== 'processed');
  if (!inbox || rows.length < eventIds.length || unprocessed) return [sendStep, notLanded(unprocessed)];
  const landed = landedAt(row.id, Number(inbox.id), rows.map((entry) => entry.result));
  const isTest = rows.every((entry) => entry.is_test);
  const landedStep = step('landed', isTest, `processed into ${landed.conversions.length} conversion(s), ${landed.customers.length} customer(s), ${landed.events.length} workspace event(s), marked as test data`, { ...landed, isTest });
  const { valuesStep, conversion } = await compareValues(ctx, landed.conversions.map((entry) => entry.id), sample.expected);
  const again = await send(url, headers, sample.body).catch((error: Error) => ({ status: 0, answer: error.message }));
  return [sendStep, landedStep, valuesStep, await checkDuplicate(ctx, eventIds, again, inbox.duplicate_count, conversion)];
}

type InboxState = Awaited<ReturnType<typeof settledRows>>[number];

function notLanded(inbox: InboxState | undefined): StepResult {
  if (!inbox) return step('landed', false, 'no inbox row was written');
  const why = inbox.status === 'pending' ? `still pending after ${PROCESSING_WAIT_MS / 1000} s: is a worker running?` : `recorded as ${inbox.status}${inbox.reason ? ` (${inbox.reason})` : ''}: nothing was synced`;
  return step('landed', false, why, { inboxId: Number(inbox.id), status: inbox.status, reason: inbox.reason, isTest: inbox.is_test });
}

/** The recorded conversion of the expected type against what the sample carried. */
async function compareValues({ db }: TestRunContext, conversionIds: string[], expected: ExpectedConversion) {
  const conversions = conversionIds.length > 0 ? await db.selectFrom('conversions').selectAll().where('id', 'in', conversionIds).execute() : [];
  const conversion = conversions.find((candidate) => candidate.type === expected.type);
  const actual = conversion && {
    type: conversion.type,
    eventName: conversion.event_name,
    amountMinor: conversion.amount_minor === null ? undefined : Number(conversion.amount_minor),
    currency: conversion.currency ?? undefined,
  };
  const matches = actual !== undefined && (Object.keys(expected) as Array<keyof ExpectedConversion>).every((field) => actual[field] === expected[field]);
  const detail = matches ? 'type, event name, amount and currency match what was sent' : 'what was recorded differs from what was sent';
  return { valuesStep: step('values', matches && conversion?.is_test === true, detail, { expected, actual: actual ?? null }), conversion };
}

/** The second copy must be acknowledged as a duplicate and leave exactly one conversion for the sale. */
async function checkDuplicate(ctx: TestRunContext, eventIds: string[], again: Sent, duplicatesBefore: number, conversion: ConversionRow | undefined): Promise<StepResult> {
  const [after] = await settledRows(ctx, eventIds);
  const same = conversion
    ? await ctx.db
        .selectFrom('conversions')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('integration_id', '=', ctx.row.id)
        .where('type', '=', conversion.type)
        .where('external_id', '=', conversion.external_id)
        .executeTakeFirstOrThrow()
    : { count: 0 };
  const deduplicated = again.status === 200 && after.duplicate_count > duplicatesBefore && Number(same.count) === 1;
  return step('duplicate', deduplicated, deduplicated ? 'sent again: acknowledged as a duplicate, no second outcome' : 'the second copy was not recognised as a duplicate', {
    answer: again.answer,
    duplicateCount: after.duplicate_count,
    conversionsForThisSale: Number(same.count),
  });
}
