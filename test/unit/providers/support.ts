import type { ConversionInput, Effect, InboundContext, InboundRequest, NormalizeResult, ParsedEvent, ProviderModule, Recorded } from '../../../providers/types';

/** A fixed clock for every provider test: 2025-06-15T12:00:00.000Z. */
export const NOW_MS = Date.UTC(2025, 5, 15, 12, 0, 0);
export const NOW_SECONDS = NOW_MS / 1000;

export function request(body: string, headers: Record<string, string>, url = 'https://hooks.linquid.test/webhooks/x/int_1'): InboundRequest {
  return { method: 'POST', url, headers, rawBody: Buffer.from(body) };
}

export function context<Settings, Secrets>(settings: Settings, secrets: Secrets[], nowMs = NOW_MS): InboundContext<Settings, Secrets> {
  return { settings, secrets, nowMs };
}

export function effectsOf(result: NormalizeResult): Effect[] {
  if (result.status !== 'apply') throw new Error(`expected effects, got ignored: ${result.reason}`);
  return result.effects;
}

/** The one conversion a result applies. */
export function conversionOf(result: NormalizeResult): ConversionInput {
  const effects = effectsOf(result);
  expect(effects).toHaveLength(1);
  const [effect] = effects;
  if (effect.kind !== 'conversion') throw new Error(`expected a conversion, got ${effect.kind}`);
  return effect.conversion;
}

/** Verifies (must pass), parses and normalizes a request the way the pipeline does. */
export function receive<Settings, Secrets>(
  provider: ProviderModule<Settings, Secrets>,
  req: InboundRequest,
  ctx: InboundContext<Settings, Secrets>,
): { events: ParsedEvent[]; results: NormalizeResult[] } {
  const inbound = provider.inbound!;
  expect(inbound.verify(req, ctx)).toEqual({ ok: true });
  const events = inbound.parse(req);
  return { events, results: events.map((event) => inbound.normalize(event, ctx.settings)) };
}

/** What an effect records, in the catalog's words (`InboundEventKind.records`). */
function recordedBy(effect: Effect): Recorded {
  switch (effect.kind) {
    case 'conversion':
      return effect.conversion.type;
    case 'customer':
      return 'customer';
    case 'saleAlias':
      return 'sale alias';
    case 'amount':
      return 'deal amount';
    case 'lifecycle':
      return 'disconnect';
  }
}

/**
 * Holds a provider's catalog (`inboundEvents`, what the UI's "What it records" shows) to its normalizer:
 * `samples` has results of every declared type and of no other, and a type's samples together record
 * exactly what it declares (none ignored).
 */
export function expectRecordsAsDeclared(provider: ProviderModule, samples: Record<string, NormalizeResult[]>): void {
  expect(Object.keys(samples).sort()).toEqual(provider.inboundEvents.map((event) => event.type).sort());
  for (const { type, records } of provider.inboundEvents) {
    const recorded = samples[type]!.flatMap((result) => effectsOf(result).map(recordedBy));
    expect({ type, records: [...new Set(recorded)].sort() }).toEqual({ type, records: [...records].sort() });
  }
}
