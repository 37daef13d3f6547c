import type { SecretBox } from '../../lib/crypto';
import type { IntegrationRow } from '../schema';

/** A signing secret replaced by a rotation, still accepted until `expiresAt`. */
export interface RetiredSecrets {
  secrets: Record<string, unknown>;
  expiresAt: string;
}

type SealedSecrets = Pick<IntegrationRow, 'secrets_sealed' | 'retired_secrets_sealed'>;

/** The integration's current secrets; none once wiped (disconnected). */
export function openSecrets(box: SecretBox, row: Pick<IntegrationRow, 'secrets_sealed'>): Record<string, unknown> {
  return row.secrets_sealed ? box.open<Record<string, unknown>>(row.secrets_sealed) : {};
}

/** Every secret an inbound request may be signed with, opened once and checked against the clock per request. */
export interface InboundSecrets {
  current: Record<string, unknown> | null;
  retired: RetiredSecrets[];
}

export function openInboundSecrets(box: SecretBox, row: SealedSecrets): InboundSecrets {
  return {
    current: row.secrets_sealed ? openSecrets(box, row) : null,
    retired: openRetired(box, row),
  };
}

const openRetired = (box: SecretBox, row: SealedSecrets) => (row.retired_secrets_sealed ? box.open<RetiredSecrets[]>(row.retired_secrets_sealed) : []);

const inGrace = (retired: RetiredSecrets[], nowMs: number) => retired.filter((entry) => Date.parse(entry.expiresAt) > nowMs);

/** Secrets replaced by rotations whose grace period has not ended yet. */
export function retiredSecretsInGrace(box: SecretBox, row: SealedSecrets, nowMs: number): RetiredSecrets[] {
  return inGrace(openRetired(box, row), nowMs);
}

/** Current secrets first, then the retired ones still inside their grace period; none once wiped (disconnected). */
export function verificationSecrets({ current, retired }: InboundSecrets, nowMs: number): Record<string, unknown>[] {
  return current ? [current, ...inGrace(retired, nowMs).map((entry) => entry.secrets)] : [];
}
