import { openSecrets } from '../db/queries/secrets';
import type { IntegrationRow } from '../db/schema';
import type { Config } from '../lib/config';
import type { SecretBox } from '../lib/crypto';
import { getProvider } from '../providers';
import { notSent } from '../providers/shared/http-delivery';
import type { OutboundEnvelope } from '../contract/workspace-events';
import type { DeliveryResult } from '../providers/types';

/** What a provider call needs: the key that opens the destination's secrets, and the delivery settings. */
export interface SenderDeps {
  box: SecretBox;
  config: Config;
}

type Send = (deliveryId: string, envelope: OutboundEnvelope, signal?: AbortSignal) => Promise<DeliveryResult>;

/** The provider call for one destination (settings parsed and secrets opened once); never throws. */
export function destinationSender(deps: SenderDeps, destination: IntegrationRow): Send {
  const provider = getProvider(destination.provider);
  const settings = provider?.settingsSchema.safeParse(destination.settings);
  const { config } = deps;
  let secrets: Record<string, unknown> | undefined;
  return async (deliveryId, envelope, signal) => {
    if (!provider?.outbound) return notSent(`provider ${destination.provider} has no outbound delivery`);
    if (!settings?.success) return notSent(`settings are invalid: ${settings?.error.message}`);
    try {
      secrets ??= openSecrets(deps.box, destination);
      return await provider.outbound.deliver({
        envelope,
        deliveryId,
        settings: settings.data,
        secrets,
        timeoutMs: config.deliveryRetry.attemptTimeoutMs,
        allowPrivateDestinations: config.allowPrivateDestinations,
        apiUrl: config.providerApiUrls[destination.provider],
        signal,
      });
    } catch (error) {
      return notSent(`delivery failed: ${error instanceof Error ? error.message : String(error)}`, 'retry');
    }
  };
}

/** One provider call, as the delivery pipeline makes it (also used by the integration test run). */
export function callProvider(deps: SenderDeps, deliveryId: string, envelope: OutboundEnvelope, destination: IntegrationRow): Promise<DeliveryResult> {
  return destinationSender(deps, destination)(deliveryId, envelope);
}
