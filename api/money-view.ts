import { exponentOf } from '../providers/shared/money';

/**
 * Integer minor units as a major-unit decimal string with the currency's ISO 4217 exponent
 * (USD 1500 → "15.00", JPY 1500 → "1500", KWD 12345 → "12.345"). Done on digits, never floats.
 */
export function formatMinor(amountMinor: number | string | bigint, currency: string): string {
  const exponent = exponentOf(currency);
  const value = BigInt(amountMinor);
  const digits = (value < 0n ? -value : value).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent > 0 ? `.${digits.slice(digits.length - exponent)}` : '';
  return `${value < 0n ? '-' : ''}${whole}${fraction}`;
}

/** `amountMinor` (integer), `currency` and the display `amount`; all null when the row has no amount. */
export function moneyFields(amountMinor: number | string | null, currency: string | null) {
  if (amountMinor === null || currency === null) return { amountMinor: null, currency, amount: null };
  return { amountMinor: Number(amountMinor), currency, amount: formatMinor(amountMinor, currency) };
}
