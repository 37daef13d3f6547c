import { type ExpectedConversion, SampleUnavailableError } from '../types';
import type { EventMapping } from './schemas';

/** Every sample sale is worth this: distinctive enough to spot, exact in minor units. */
export const SAMPLE_SALE = { amount: '49.99', amountMinor: 4999, currency: 'USD' } as const;

/** The first signing value that is set, or why the sample cannot be signed. */
export function signingSecret(...candidates: Array<string | undefined>): string {
  const secret = candidates.find((candidate) => candidate);
  if (!secret) throw new SampleUnavailableError('no signing secret is stored: authorize the integration first');
  return secret;
}

/** A sale (else lead) the event mapping records: the sample's event name and what it should become. */
export function sampleMapping(mapping: EventMapping): { name: string; expected: ExpectedConversion } {
  const entries = Object.entries(mapping);
  const [name, target] = entries.find(([, entry]) => entry.type === 'sale') ?? entries[0] ?? [];
  if (!name || !target) throw new SampleUnavailableError('eventMapping is empty: no inbound event would record a conversion');
  const eventName = target.eventName ?? name;
  return {
    name,
    expected: target.type === 'sale' ? { type: 'sale', eventName, amountMinor: SAMPLE_SALE.amountMinor, currency: SAMPLE_SALE.currency } : { type: 'lead', eventName },
  };
}
