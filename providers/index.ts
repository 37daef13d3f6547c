import { z } from 'zod';
import type { ProviderModule } from './types';
import { hubspot } from './hubspot';
import { segment } from './segment';
import { shopify } from './shopify';
import { slack } from './slack';
import { stripe } from './stripe';
import { webhook } from './webhook';
import { zapier } from './zapier';

/** The catalog; the pipeline reaches providers only through this list and the ProviderModule interface. */
export const providers: ProviderModule[] = [stripe, hubspot, shopify, slack, segment, zapier, webhook];

/** Providers that can be destinations: workspace events are queued for dispatch only where one is connected. */
export const outboundProviderIds = providers.filter((provider) => provider.outbound).map((provider) => provider.id);

/** Whether an installation with these settings and secrets can deliver (stored as `integrations.delivers`). */
export function canDeliver(provider: ProviderModule, settings: unknown, secrets: Record<string, unknown>): boolean {
  if (!provider.outbound) return false;
  if (!provider.outbound.canDeliver) return true;
  const parsed = provider.settingsSchema.safeParse(settings);
  return parsed.success && provider.outbound.canDeliver(parsed.data, secrets);
}

/** A settings or secrets schema as the JSON Schema the catalog serves and the admin UI renders its forms from. */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}

/** Top-level settings marked `readOnly` in a settings schema's JSON Schema. */
function readOnlyOf(schema: z.ZodType): string[] {
  const properties = (jsonSchemaOf(schema).properties ?? {}) as Record<string, { readOnly?: boolean }>;
  return Object.keys(properties).filter((name) => properties[name]!.readOnly === true);
}

const readOnlyByProvider = new Map(providers.map((provider) => [provider.id, readOnlyOf(provider.settingsSchema)]));

/**
 * The settings marked `readOnly` in the provider's schema (`.meta({ readOnly: true })`): set by Linquid from the
 * provider's own answer at install (Slack's team), never by a request. Top-level keys only: a PATCH merges at that level.
 */
export function readOnlySettings(provider: ProviderModule): string[] {
  return readOnlyByProvider.get(provider.id) ?? readOnlyOf(provider.settingsSchema);
}

const byId = new Map(providers.map((provider) => [provider.id, provider]));

export function getProvider(id: string): ProviderModule | undefined {
  return byId.get(id);
}
