import type { OutboundEnvelope, OutboundHandler } from '../types';
import { apiBase } from '../shared/api-check';
import { amountOf, type EventData, readEventData } from '../shared/event-data';
import { notSent, postJson } from '../shared/http-delivery';
import { toMajor } from '../shared/money';
import type { SegmentSecrets, SegmentSettings } from './schema';

interface SegmentCall {
  method: 'track' | 'identify';
  body: Record<string, unknown>;
}

function properties(data: EventData): Record<string, unknown> {
  const amount = amountOf(data);
  const { conversion, click } = data;
  return Object.fromEntries(
    Object.entries({
      revenue: amount && toMajor(amount.amountMinor, amount.currency),
      currency: amount?.currency,
      order_id: conversion?.externalId,
      event_name: conversion?.eventName,
      link_key: conversion?.linkKey ?? click?.linkKey,
      click_id: conversion?.clickId ?? click?.id,
      url: click?.url,
      source: conversion?.provider,
    }).filter(([, value]) => value !== undefined && value !== null),
  );
}

/**
 * `customer.created` → identify; anything else → track under its mapped name (`sale.created` →
 * "Order Completed" with revenue in major units). `messageId` is our event id: Segment dedupes on it.
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
  const event = settings.outboundEventNames[envelope.type as keyof SegmentSettings['outboundEventNames']] ?? envelope.type;
  return { method: 'track', body: { ...common, event, properties: properties(data) } };
}

/** Segment's HTTP Tracking API, Basic auth with the write key. */
export const segmentOutbound: OutboundHandler<SegmentSettings, SegmentSecrets> = {
  subscribes: (event, settings) => (settings.outboundEvents as string[]).includes(event.type),
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
