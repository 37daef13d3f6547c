import { amountMinorSchema } from '../../contract/workspace-event-payloads';
import {
  MalformedPayloadError,
  type ConversionInput,
  type CustomerRef,
  type DocumentAmount,
  type Effect,
  type NormalizeResult,
} from '../types';

export function apply(...effects: Effect[]): NormalizeResult {
  return { status: 'apply', effects };
}

export function ignored(reason: string): NormalizeResult {
  return { status: 'ignored', reason };
}

export function customerEffect(customer: CustomerRef): Effect {
  return { kind: 'customer', customer };
}

/**
 * A provider's amounts are money paid or returned, never below zero: a negative one is an inconsistent
 * payload (more tax than total, a negative deal value), refused as `POST /v1/events` refuses it rather
 * than counted as negative revenue.
 */
function refuseNegative(amountMinor: number | undefined, what: string): void {
  const checked = amountMinorSchema.safeParse(amountMinor ?? 0);
  if (!checked.success) throw new MalformedPayloadError(`${what} amount ${amountMinor}: ${checked.error.issues[0].message}`);
}

export function conversionEffect(conversion: ConversionInput): Effect {
  refuseNegative(conversion.amountMinor, `${conversion.type} ${conversion.externalId}`);
  return { kind: 'conversion', conversion };
}

export function saleAliasEffect(saleExternalId: string, alias: string): Effect {
  return { kind: 'saleAlias', saleExternalId, alias };
}

export function amountEffect(amount: DocumentAmount): Effect {
  refuseNegative(amount.amountMinor, `sale ${amount.externalId}`);
  return { kind: 'amount', amount };
}

export function disconnectEffect(reason: string): Effect {
  return { kind: 'lifecycle', action: 'disconnect', reason };
}

/**
 * Normalization runs in the inbox drain: a stored event that doesn't have the fields we need is
 * recorded as ignored with the reason instead of failing (and endlessly retrying) the whole batch.
 */
export function ignoringMalformed<A extends unknown[]>(normalize: (...args: A) => NormalizeResult) {
  return (...args: A): NormalizeResult => {
    try {
      return normalize(...args);
    } catch (error) {
      if (error instanceof MalformedPayloadError) return ignored(`malformed payload: ${error.message}`);
      throw error;
    }
  };
}
