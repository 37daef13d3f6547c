import { toMinor } from '../shared/money';
import { MalformedPayloadError } from '../types';
import type { ShopifyMoney } from './resources';

/** Integer minor units of a Shopify amount, in its (upper-case) currency. */
export interface Money {
  amountMinor: number;
  currency: string;
}

export const moneyOf = (money: ShopifyMoney): Money => ({ amountMinor: toMinor(money.amount, money.currency_code), currency: money.currency_code });

/** Signed amounts of one currency, summed in minor units (undefined for none). */
export function sum(parts: Array<{ money: ShopifyMoney; sign: 1 | -1 }>): Money | undefined {
  if (parts.length === 0) return undefined;
  const { currency_code: currency } = parts[0].money;
  if (parts.some(({ money }) => money.currency_code !== currency)) throw new MalformedPayloadError('amounts of one refund in different currencies');
  return { currency, amountMinor: parts.reduce((total, { money, sign }) => total + sign * moneyOf(money).amountMinor, 0) };
}
