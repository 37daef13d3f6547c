import type { InboundEventKind } from '../types';

/** A normalizer's dispatch table entry: the handler of one event type and what it records. */
export interface HandledEvent<Handler> extends Omit<InboundEventKind, 'type'> {
  handle: Handler;
}

export type EventTable<Handler> = Record<string, HandledEvent<Handler>>;

/** The catalog's "what it records", read off the dispatch table itself so that the two cannot diverge. */
export function eventKindsOf<Handler>(table: EventTable<Handler>): InboundEventKind[] {
  return Object.entries(table).map(([type, { records, when }]) => ({ type, records, ...(when && { when }) }));
}

/** The handler of `type` (own keys only: an event named `constructor` has none). */
export function handlerOf<Handler>(table: EventTable<Handler>, type: string): Handler | undefined {
  return Object.hasOwn(table, type) ? table[type]!.handle : undefined;
}
