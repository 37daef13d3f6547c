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
