import { currencySchema } from '../../../contract/workspace-event-payloads';
import { exponentOf, toMinor } from '../../../providers/shared/money';
import { fromStripeAmount } from '../../../providers/stripe/money';

describe('exponentOf', () => {
  it('knows ISO 4217 zero- and three-decimal currencies, 2 otherwise, in any case', () => {
    expect(['JPY', 'KRW', 'CLP', 'ISK', 'VND', 'XOF'].map(exponentOf)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(['KWD', 'BHD', 'JOD', 'OMR', 'TND', 'IQD', 'LYD'].map(exponentOf)).toEqual([3, 3, 3, 3, 3, 3, 3]);
    expect(['USD', 'EUR', 'GBP', 'MGA', 'XYZ'].map(exponentOf)).toEqual([2, 2, 2, 2, 2]);
    expect(exponentOf('jpy')).toBe(0);
  });
});

describe('toMinor', () => {
  it('converts decimal strings exactly', () => {
    expect(toMinor('49.99', 'USD')).toBe(4999);
    expect(toMinor('0.10', 'EUR')).toBe(10);
    expect(toMinor('1500', 'USD')).toBe(150000);
    expect(toMinor('12.345', 'KWD')).toBe(12345);
    expect(toMinor('1500', 'JPY')).toBe(1500);
    expect(toMinor('-5.5', 'USD')).toBe(-550);
  });

  it('converts numbers without binary float error', () => {
    // 1.005 * 100 === 100.49999999999999 and 0.29 * 100 === 28.999999999999996 in floating point.
    expect(toMinor(1.005, 'USD')).toBe(101);
    expect(toMinor(0.29, 'USD')).toBe(29);
    expect(toMinor(19.99, 'USD')).toBe(1999);
    expect(toMinor(4.35, 'KWD')).toBe(4350);
    expect(toMinor(1e-7, 'USD')).toBe(0);
  });

  it('rounds extra digits half away from zero', () => {
    expect(toMinor('0.125', 'USD')).toBe(13);
    expect(toMinor('0.124', 'USD')).toBe(12);
    expect(toMinor('-0.125', 'USD')).toBe(-13);
    expect(toMinor('99.5', 'JPY')).toBe(100);
    expect(toMinor('-0.001', 'USD')).toBe(0);
  });

  it('refuses what is not a finite decimal', () => {
    for (const bad of ['', 'abc', '1,50', '1e3', NaN, Infinity, 1e21]) {
      expect(() => toMinor(bad, 'USD')).toThrow(RangeError);
    }
  });
});

describe('currencySchema', () => {
  it('upper-cases and refuses anything but three letters', () => {
    expect(currencySchema.parse(' usd ')).toBe('USD');
    expect(currencySchema.safeParse('US').success).toBe(false);
  });
});

describe('fromStripeAmount', () => {
  it('passes through where Stripe and ISO agree, and converts where they do not', () => {
    expect(fromStripeAmount(5000, 'USD')).toBe(5000);
    expect(fromStripeAmount(1500, 'JPY')).toBe(1500);
    expect(fromStripeAmount(12340, 'KWD')).toBe(12340);
    expect(fromStripeAmount(50000, 'ISK')).toBe(500);
    expect(fromStripeAmount(5000, 'MGA')).toBe(500000);
    expect(fromStripeAmount(1234, 'IQD')).toBe(12340);
  });
});
