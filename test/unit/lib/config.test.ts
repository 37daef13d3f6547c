import { loadConfig } from '../../../lib/config';
import { apiBase } from '../../../providers/shared/api-check';

describe('provider API base URLs', () => {
  it('reads <PROVIDER>_API_URL for any provider id, and nothing else', () => {
    const config = loadConfig({ STRIPE_API_URL: 'http://127.0.0.1:4010/', SLACK_API_URL: 'http://127.0.0.1:4011/api/', DATABASE_URL: 'postgres://x', API_URL: 'http://nope' });
    expect(config.providerApiUrls).toEqual({ stripe: 'http://127.0.0.1:4010/', slack: 'http://127.0.0.1:4011/api/' });
  });

  it("falls back to the provider's own default, without a trailing slash either way", () => {
    expect(apiBase(undefined, 'https://api.hubapi.com')).toBe('https://api.hubapi.com');
    expect(apiBase('http://127.0.0.1:4010/', 'https://api.stripe.com')).toBe('http://127.0.0.1:4010');
  });
});

describe('retention settings', () => {
  it('defaults: inbox 30 days, delivery attempts 30, signature failures 30, transitions 400, hourly, batches of 1,000', () => {
    expect(loadConfig({}).retention).toEqual({
      enabled: true,
      intervalMs: 60 * 60 * 1000,
      policy: { inboxDays: 30, deliveryAttemptsDays: 30, signatureFailuresDays: 30, transitionsDays: 400, batchSize: 1000 },
    });
  });

  it('reads every window, and RETENTION_ENABLED=false turns it off', () => {
    const { retention } = loadConfig({
      RETENTION_INBOX_DAYS: '7', RETENTION_DELIVERY_ATTEMPTS_DAYS: '2', RETENTION_SIGNATURE_FAILURES_DAYS: '1',
      RETENTION_TRANSITIONS_DAYS: '90', RETENTION_BATCH_SIZE: '250', RETENTION_INTERVAL_MS: '600000', RETENTION_ENABLED: 'false',
    });
    expect(retention).toEqual({ enabled: false, intervalMs: 600000, policy: { inboxDays: 7, deliveryAttemptsDays: 2, signatureFailuresDays: 1, transitionsDays: 90, batchSize: 250 } });
  });

  it('refuses an inbox window shorter than the 7-day dedup window, naming the variable and the minimum', () => {
    for (const days of ['6', '0']) {
      expect(() => loadConfig({ RETENTION_INBOX_DAYS: days })).toThrow(`RETENTION_INBOX_DAYS=${days} is shorter than the inbox dedup window`);
    }
    expect(() => loadConfig({ RETENTION_INBOX_DAYS: '6' })).toThrow('set 7 or more');
  });

  it('refuses values that are not whole numbers in range rather than guessing', () => {
    expect(() => loadConfig({ RETENTION_TRANSITIONS_DAYS: 'a year' })).toThrow('RETENTION_TRANSITIONS_DAYS must be a whole number from 1, got "a year"');
    expect(() => loadConfig({ RETENTION_DELIVERY_ATTEMPTS_DAYS: '0' })).toThrow('RETENTION_DELIVERY_ATTEMPTS_DAYS must be a whole number from 1');
    expect(() => loadConfig({ RETENTION_SIGNATURE_FAILURES_DAYS: '1.5' })).toThrow('RETENTION_SIGNATURE_FAILURES_DAYS must be a whole number');
    expect(() => loadConfig({ RETENTION_BATCH_SIZE: '50000' })).toThrow('RETENTION_BATCH_SIZE must be a whole number from 1 to 10000, got "50000"');
    expect(() => loadConfig({ RETENTION_INTERVAL_MS: '1000' })).toThrow('RETENTION_INTERVAL_MS must be a whole number from 60000');
    expect(() => loadConfig({ RETENTION_ENABLED: 'no' })).toThrow('RETENTION_ENABLED must be true or false, got "no"');
  });

  it('bounds drain batches at 4 MB of payloads unless told, and never at 0 (no row would ever be taken)', () => {
    expect(loadConfig({}).inboxBatchBytes).toBe(4 * 1024 * 1024);
    expect(loadConfig({ INBOX_BATCH_BYTES: '65536' }).inboxBatchBytes).toBe(65536);
    expect(() => loadConfig({ INBOX_BATCH_BYTES: '0' })).toThrow('INBOX_BATCH_BYTES must be a whole number from 1, got "0"');
  });
});
