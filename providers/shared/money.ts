import { z } from 'zod';

/** ISO 4217 minor-unit exponents that differ from the usual 2. */
const EXPONENTS: Record<string, number> = {
  ...Object.fromEntries(
    ['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'].map(
      (code) => [code, 0],
    ),
  ),
  ...Object.fromEntries(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'].map((code) => [code, 3])),
  CLF: 4,
  UYW: 4,
};

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * A major-unit amount as providers send it: a decimal string ("49.99") or a JSON number. Below 10^11
 * so that its minor units stay a safe integer for every exponent (at most 4).
 */
export const decimalSchema = z.union([
  z.number().gt(-1e11).lt(1e11),
  z.string().regex(/^-?\d{1,11}(\.\d+)?$/, 'a decimal amount below 10^11'),
]);

export function exponentOf(currency: string): number {
  return EXPONENTS[currency.toUpperCase()] ?? 2;
}

/**
 * Major units to integer minor units without float error: numbers go through their shortest decimal
 * form (49.99 → "49.99"), then digits are shifted as text. Extra digits round half away from zero.
 */
export function toMinor(amountMajor: number | string, currency: string): number {
  const text = typeof amountMajor === 'number' ? decimalText(amountMajor) : amountMajor.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new RangeError(`not a decimal amount: ${String(amountMajor)}`);
  const [, sign, whole, fraction = ''] = match;
  const exponent = exponentOf(currency);
  let minor = Number(whole + fraction.padEnd(exponent, '0').slice(0, exponent));
  if (fraction.length > exponent && fraction[exponent] >= '5') minor += 1;
  if (!Number.isSafeInteger(minor)) throw new RangeError(`amount out of range: ${String(amountMajor)}`);
  return sign && minor !== 0 ? -minor : minor;
}

function decimalText(value: number): string {
  const text = String(value);
  // Exponent notation only for |x| < 1e-6 (toFixed expands it) or >= 1e21 (rejected by the pattern).
  return text.includes('e') ? value.toFixed(20) : text;
}

/** Integer minor units to a major-unit number, for display and APIs that want major units (Segment `revenue`). */
export function toMajor(amountMinor: number, currency: string): number {
  return amountMinor / 10 ** exponentOf(currency);
}
