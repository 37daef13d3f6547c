import pino, { type LoggerOptions } from 'pino';

/**
 * Structured JSON logs. Anything that could carry a secret is redacted by path, so a careless
 * `log.info({ secrets })` still prints nothing sensitive.
 */
export const LOG_OPTIONS: LoggerOptions = {
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: 'linquid-integrations' },
  redact: {
    paths: [
      'secrets', '*.secrets', 'token', '*.token', 'apiKey', '*.apiKey', 'authorization', '*.authorization',
      'accessToken', '*.accessToken', 'botToken', '*.botToken', 'writeKey', '*.writeKey', 'clientSecret', '*.clientSecret',
      'webhookSecret', '*.webhookSecret', 'signingSecret', '*.signingSecret', 'sharedSecret', '*.sharedSecret',
      // Request and response headers carry signatures and tokens under names only each provider knows: never logged.
      'headers', '*.headers', '*.*.headers',
    ],
    censor: '[redacted]',
  },
};

export const logger = pino(LOG_OPTIONS);

export type Logger = typeof logger;
