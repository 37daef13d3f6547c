import type { SecretBox } from '../../lib/crypto';
import type { IntegrationRow } from '../schema';

/** A signing secret replaced by a rotation, still accepted until `expiresAt`. */
export interface RetiredSecrets {
  secrets: Record<string, unknown>;
  expiresAt: string;
}

/** Current secrets first, then the retired ones still inside their grace period. */
export function verificationSecrets(box: SecretBox, row: Pick<IntegrationRow, 'secrets_sealed' | 'retired_secrets_sealed'>, nowMs: number): Record<string, unknown>[] {
  if (!row.secrets_sealed) return [];
  const current = box.open<Record<string, unknown>>(row.secrets_sealed);
  const retired = row.retired_secrets_sealed ? box.open<RetiredSecrets[]>(row.retired_secrets_sealed) : [];
  return [current, ...retired.filter((entry) => Date.parse(entry.expiresAt) > nowMs).map((entry) => entry.secrets)];
}
