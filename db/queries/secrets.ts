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

/** Secrets replaced by rotations whose grace period has not ended yet. */
export function retiredSecretsInGrace(box: SecretBox, row: SealedSecrets, nowMs: number): RetiredSecrets[] {
  const retired = row.retired_secrets_sealed ? box.open<RetiredSecrets[]>(row.retired_secrets_sealed) : [];
  return retired.filter((entry) => Date.parse(entry.expiresAt) > nowMs);
}

/** Current secrets first, then the retired ones still inside their grace period. */
export function verificationSecrets(box: SecretBox, row: SealedSecrets, nowMs: number): Record<string, unknown>[] {
  if (!row.secrets_sealed) return [];
  return [openSecrets(box, row), ...retiredSecretsInGrace(box, row, nowMs).map((entry) => entry.secrets)];
}
