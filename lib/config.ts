import type { RetrySchedule } from '../contract/delivery';
import type { RetentionPolicy } from '../contract/retention';

/** Every setting comes from the environment, with defaults that run on a developer machine. */
export interface Config {
  port: number;
  publicBaseUrl: string;
  databaseUrl: string;
  /** Opening a database connection gives up after this long (a server that accepts but does not answer). */
  databaseConnectTimeoutMs: number;
  /** A statement is cancelled after this long; a connection silent for a second more is closed. */
  databaseQueryTimeoutMs: number;
  temporalAddress: string | undefined;
  temporalNamespace: string;
  taskQueue: string;
  /** Workflows a worker keeps in memory (~1–2 MB each); an evicted one is replayed from its history when it next runs. */
  maxCachedWorkflows: number;
  adminToken: string;
  encryptionKey: string | undefined;
  dataDir: string;
  bodyLimitBytes: number;
  allowPrivateDestinations: boolean;
  inboxBatchSize: number;
  /** Stored payload bytes a drain batch holds at most (the first row whatever its size). */
  inboxBatchBytes: number;
  doorbellSweepMs: number;
  /** Outbound delivery retry schedule (Temporal retry policy) and per-attempt HTTP timeout. */
  deliveryRetry: RetrySchedule;
  /** Consecutive failed attempts that move a destination to `error`. */
  deliveryFailureThreshold: number;
  dispatchSweepMs: number;
  slackClientId: string | undefined;
  slackClientSecret: string | undefined;
  /**
   * Provider API base URLs from `<PROVIDER>_API_URL` (e.g. `STRIPE_API_URL`), by provider id: tests and
   * staging point providers at local servers. A provider without one uses its module's own default.
   */
  providerApiUrls: Record<string, string>;
  /** How often an active integration's credentials are checked with its provider; 0 turns the checks off. */
  credentialCheckIntervalMs: number;
  /** Sales still waiting for their amount are read again from the provider by a drain at most this often, per integration and worker. */
  pendingAmountRetryMs: number;
  retention: RetentionConfig;
  /** Failed attempts in a row after which a pending activity makes its workflow a `stuck_workflow` finding. */
  stuckWorkflowFailures: number;
  /** The Temporal Web UI, for the links in findings. */
  temporalUiUrl: string;
}

/** Retention of the tables that grow with traffic, run by a Temporal Schedule (worker/retention-schedule). */
export interface RetentionConfig {
  enabled: boolean;
  intervalMs: number;
  policy: RetentionPolicy;
}

/** The README promises that inbox dedup keys (provider event ids) are kept at least this long; Stripe retries for 3 days. */
const INBOX_DEDUP_WINDOW_DAYS = 7;

function int(value: string | undefined, fallback: number): number {
  const parsed = value === undefined ? NaN : Number.parseInt(value, 10);
  return Number.isFinite(parsed) ? parsed : fallback;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env.PORT, 3000);
  return {
    port,
    publicBaseUrl: (env.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/linquid',
    databaseConnectTimeoutMs: int(env.DATABASE_CONNECT_TIMEOUT_MS, 5000),
    databaseQueryTimeoutMs: int(env.DATABASE_QUERY_TIMEOUT_MS, 30000),
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE ?? 'integrations',
    maxCachedWorkflows: int(env.TEMPORAL_MAX_CACHED_WORKFLOWS, 100),
    adminToken: env.LINQUID_ADMIN_TOKEN ?? 'dev-admin-token',
    encryptionKey: env.LINQUID_ENCRYPTION_KEY || undefined,
    dataDir: env.LINQUID_DATA_DIR ?? '.data',
    bodyLimitBytes: int(env.BODY_LIMIT_BYTES, 1024 * 1024),
    allowPrivateDestinations: env.ALLOW_PRIVATE_DESTINATIONS === 'true',
    inboxBatchSize: int(env.INBOX_BATCH_SIZE, 200),
    inboxBatchBytes: wholeNumber(env, 'INBOX_BATCH_BYTES', 4 * 1024 * 1024, 1),
    doorbellSweepMs: int(env.DOORBELL_SWEEP_MS, 30000),
    deliveryRetry: {
      initialIntervalMs: int(env.DELIVERY_RETRY_INITIAL_MS, 5000),
      maximumIntervalMs: int(env.DELIVERY_RETRY_MAX_MS, 6 * 60 * 60 * 1000),
      windowMs: int(env.DELIVERY_RETRY_WINDOW_MS, 3 * 24 * 60 * 60 * 1000),
      attemptTimeoutMs: int(env.DELIVERY_TIMEOUT_MS, 15000),
    },
    deliveryFailureThreshold: int(env.DELIVERY_FAILURE_THRESHOLD, 20),
    dispatchSweepMs: int(env.DISPATCH_SWEEP_MS, 10000),
    slackClientId: env.SLACK_CLIENT_ID || undefined,
    slackClientSecret: env.SLACK_CLIENT_SECRET || undefined,
    providerApiUrls: providerApiUrls(env),
    credentialCheckIntervalMs: int(env.CREDENTIAL_CHECK_INTERVAL_MS, 15 * 60 * 1000),
    pendingAmountRetryMs: int(env.PENDING_AMOUNT_RETRY_MS, 60 * 1000),
    retention: retentionConfig(env),
    stuckWorkflowFailures: int(env.STUCK_WORKFLOW_FAILURES, 10),
    temporalUiUrl: (env.TEMPORAL_UI_URL ?? 'http://localhost:8233').replace(/\/$/, ''),
  };
}

/** Unlike the settings above, a bad retention value is refused: a typo must not silently shorten or stop it. */
function retentionConfig(env: NodeJS.ProcessEnv): RetentionConfig {
  const inboxDays = wholeNumber(env, 'RETENTION_INBOX_DAYS', 30, 0);
  if (inboxDays < INBOX_DEDUP_WINDOW_DAYS) {
    throw new Error(
      `RETENTION_INBOX_DAYS=${inboxDays} is shorter than the inbox dedup window: provider event ids are kept at least ` +
        `${INBOX_DEDUP_WINDOW_DAYS} days (Stripe retries for 3 days); set ${INBOX_DEDUP_WINDOW_DAYS} or more`,
    );
  }
  const enabled = env.RETENTION_ENABLED ?? 'true';
  if (enabled !== 'true' && enabled !== 'false') throw new Error(`RETENTION_ENABLED must be true or false, got "${enabled}"`);
  return {
    enabled: enabled === 'true',
    intervalMs: wholeNumber(env, 'RETENTION_INTERVAL_MS', 60 * 60 * 1000, 60 * 1000),
    policy: {
      inboxDays,
      deliveryAttemptsDays: wholeNumber(env, 'RETENTION_DELIVERY_ATTEMPTS_DAYS', 30, 1),
      signatureFailuresDays: wholeNumber(env, 'RETENTION_SIGNATURE_FAILURES_DAYS', 30, 1),
      transitionsDays: wholeNumber(env, 'RETENTION_TRANSITIONS_DAYS', 400, 1),
      batchSize: wholeNumber(env, 'RETENTION_BATCH_SIZE', 1000, 1, 10_000),
    },
  };
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(parsed >= min && parsed <= max)) {
    throw new Error(`${name} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}, got "${value}"`);
  }
  return parsed;
}

function providerApiUrls(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).flatMap(([name, value]) => {
      const provider = /^([A-Z][A-Z0-9]*)_API_URL$/.exec(name)?.[1];
      return provider && value ? [[provider.toLowerCase(), value]] : [];
    }),
  );
}

/** Where a provider sends an integration's webhooks (the API mounts the route at /webhooks/:provider/:integrationId). */
export function inboundWebhookUrl(config: Pick<Config, 'publicBaseUrl'>, integration: { provider: string; id: string }): string {
  return `${config.publicBaseUrl}/webhooks/${integration.provider}/${integration.id}`;
}

/** The port of the dev server `npm start` runs, where the other processes look when TEMPORAL_ADDRESS is unset. */
export const DEV_TEMPORAL_PORT = 7233;

export function temporalAddressOf(config: Pick<Config, 'temporalAddress'>): string {
  return config.temporalAddress ?? `127.0.0.1:${DEV_TEMPORAL_PORT}`;
}
