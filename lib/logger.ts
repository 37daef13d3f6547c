import pino from 'pino';

/**
 * Structured JSON logs. Anything that could carry a secret is redacted by path, so a careless
 * `log.info({ secrets })` still prints nothing sensitive.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: 'linquid-integrations' },
  redact: {
    paths: [
      'secrets', '*.secrets', 'token', '*.token', 'apiKey', '*.apiKey', 'authorization', '*.authorization',
      'accessToken', '*.accessToken', 'botToken', '*.botToken', 'writeKey', '*.writeKey', 'clientSecret', '*.clientSecret',
      'webhookSecret', '*.webhookSecret', 'signingSecret', '*.signingSecret', 'sharedSecret', '*.sharedSecret',
      '*.headers["x-linquid-test-event"]', '*.headers["x-shopify-access-token"]',
      'headers.authorization', 'req.headers.authorization', '*.headers["stripe-signature"]',
      '*.headers["x-hubspot-signature-v3"]', '*.headers["x-shopify-hmac-sha256"]', '*.headers["webhook-signature"]',
    ],
    censor: '[redacted]',
  },
});

export type Logger = typeof logger;
