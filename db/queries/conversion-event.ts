import type { ConversionInput } from '../../providers/types';

/** A conversion as workspace events (`lead|sale|refund.created`, `sale.updated`) carry it: one shape whoever writes it. */
export interface ConversionEventFields {
  id: string;
  type: ConversionInput['type'];
  eventName: string;
  amountMinor: number | null;
  currency: string | null;
  quantity: number | null;
  occurredAt: string;
  externalId: string;
  refundsExternalId: string | null;
  saleConversionId: string | null;
  clickId: string | null;
  linkKey: string | null;
  provider: string;
  integrationId: string;
}

export function conversionEvent(conversion: ConversionEventFields, customer: Record<string, unknown> | null) {
  return { conversion, customer };
}
