import { amountOf, type EventData, readEventData } from '../../contract/workspace-event-payloads';
import type { OutboundEnvelope } from '../../contract/workspace-events';
import type { OutboundHandler } from '../types';
import { apiBase } from '../shared/api-check';
import { notSent, postJson } from '../shared/http-delivery';
import { toMajor } from '../shared/money';
import { type SegmentSecrets, type SegmentSettings, SPEC_EVENT_NAMES } from './schema';

interface SegmentCall {
  method: 'track' | 'identify';
  body: Record<string, unknown>;
}

/**
 * A sale is Segment's "Order Completed" with `revenue` (the recorded amount); a refund its "Order
 * Refunded", with the refunded order's `order_id` and the refunded `total` but no `revenue`, which
 * destinations would add up as revenue.
 */
function properties(type: string, data: EventData): Record<string, unknown> {
  const amount = amountOf(data);
  const major = amount && toMajor(amount.amountMinor, amount.currency);
  const { conversion, click } = data;
  const money = type === 'refund.created' ? { order_id: conversion?.refundsExternalId, total: major } : { order_id: conversion?.externalId, revenue: major };
  return Object.fromEntries(
    Object.entries({
      ...money,
      currency: amount?.currency,
      event_name: conversion?.eventName,
      link_key: conversion?.linkKey ?? click?.linkKey,
      click_id: conversion?.clickId ?? click?.id,
      url: click?.url,
      source: conversion?.provider,
    }).filter(([, value]) => value !== undefined && value !== null),
  );
}

/**
 * `customer.created` → identify; anything else → track under its name in `outboundEventNames`, else
 * Segment's spec name, else its type. `messageId` is our event id: Segment dedupes on it.
 */
export function segmentCall(envelope: OutboundEnvelope, settings: SegmentSettings): SegmentCall {
  const data = readEventData(envelope.data);
  const userId = data.customer?.externalId ?? data.customer?.id;
  const common = {
    ...(userId ? { userId } : { anonymousId: data.conversion?.clickId ?? data.click?.id ?? envelope.id }),
    messageId: envelope.id,
    timestamp: envelope.createdAt,
    context: { library: { name: 'linquid-integrations' } },
  };
  if (envelope.type === 'customer.created') {
    return { method: 'identify', body: { ...common, traits: { email: data.customer?.email ?? undefined, name: data.customer?.name ?? undefined } } };
  }
  // Read by any type: an event type no name is set for falls through to the next.
  const names: Array<Partial<Record<string, string>>> = [settings.outboundEventNames, SPEC_EVENT_NAMES];
  const event = names.map((byType) => byType[envelope.type]).find(Boolean) ?? envelope.type;
  return { method: 'track', body: { ...common, event, properties: properties(envelope.type, data) } };
}

/** Segment's HTTP Tracking API, Basic auth with the write key. */
export const segmentOutbound: OutboundHandler<SegmentSettings, SegmentSecrets> = {
  subscribes: (event, settings) => (settings.outboundEvents as string[]).includes(event.type),
  // The shared secret alone only receives.
  canDeliver: (_settings, secrets) => Boolean(secrets.writeKey),
  deliver: async (ctx) => {
    const { writeKey } = ctx.secrets;
    if (!writeKey) return notSent('no write key configured');
    const call = segmentCall(ctx.envelope, ctx.settings);
    return postJson({
      url: `${apiBase(ctx.apiUrl, 'https://api.segment.io')}/v1/${call.method}`,
      headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` },
      body: JSON.stringify(call.body),
      timeoutMs: ctx.timeoutMs,
      // The base URL is the operator's configuration, not user input: no SSRF guard.
      allowPrivateDestinations: true,
      secretHeaders: ['authorization'],
      signal: ctx.signal,
    });
  },
};
