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

export function conversionEffect(conversion: ConversionInput): Effect {
  return { kind: 'conversion', conversion };
}

export function saleAliasEffect(saleExternalId: string, alias: string): Effect {
  return { kind: 'saleAlias', saleExternalId, alias };
}

export function amountEffect(amount: DocumentAmount): Effect {
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
