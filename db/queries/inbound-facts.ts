import type { Effect } from '../../providers/types';

/** Where an inbound fact came from; every row it produces carries it. */
export interface Origin {
  workspaceId: string;
  integrationId: string;
  provider: string;
  inboxId: number;
  externalEventId: string;
  isTest: boolean;
}

/** One inbound event's facts, in the order its provider module listed them. */
export interface InboundFacts {
  origin: Origin;
  effects: Array<Exclude<Effect, { kind: 'lifecycle' }>>;
}
