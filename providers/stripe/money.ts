import { exponentOf } from '../shared/money';

/** Stripe's own decimals (docs.stripe.com/currencies): not always ISO 4217's. */
const STRIPE_ZERO_DECIMAL = new Set(
  ['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'],
);
const STRIPE_THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

function stripeExponent(currency: string): number {
  if (STRIPE_ZERO_DECIMAL.has(currency)) return 0;
  return STRIPE_THREE_DECIMAL.has(currency) ? 3 : 2;
}

/**
 * A Stripe amount (already in Stripe's smallest unit) in ISO minor units. They agree for almost every
 * currency; they differ for ISK (Stripe keeps two decimals, ISO has none), MGA (Stripe: zero-decimal,
 * ISO: 2) and IQD/LYD (Stripe: 2, ISO: 3).
 */
export function fromStripeAmount(amount: number, currencyUpper: string): number {
  const shift = exponentOf(currencyUpper) - stripeExponent(currencyUpper);
  return shift >= 0 ? amount * 10 ** shift : Math.round(amount / 10 ** -shift);
}
