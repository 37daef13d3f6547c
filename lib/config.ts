import type { RetrySchedule } from '../workflows/delivery';

/** Every setting comes from the environment, with defaults that run on a developer machine. */
export interface Config {
  port: number;
  publicBaseUrl: string;
  databaseUrl: string;
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
  logLevel: string;
  inboxBatchSize: number;
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
  /** Failed attempts in a row after which a pending activity makes its workflow a `stuck_workflow` finding. */
  stuckWorkflowFailures: number;
  /** The Temporal Web UI, for the links in findings. */
  temporalUiUrl: string;
}



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
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE ?? 'integrations',
    maxCachedWorkflows: int(env.TEMPORAL_MAX_CACHED_WORKFLOWS, 100),
    adminToken: env.LINQUID_ADMIN_TOKEN ?? 'dev-admin-token',
    encryptionKey: env.LINQUID_ENCRYPTION_KEY || undefined,
    dataDir: env.LINQUID_DATA_DIR ?? '.data',
    bodyLimitBytes: int(env.BODY_LIMIT_BYTES, 1024 * 1024),
    allowPrivateDestinations: env.ALLOW_PRIVATE_DESTINATIONS === 'true',
    logLevel: env.LOG_LEVEL ?? 'info',
    inboxBatchSize: int(env.INBOX_BATCH_SIZE, 200),
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
    stuckWorkflowFailures: int(env.STUCK_WORKFLOW_FAILURES, 10),
    temporalUiUrl: (env.TEMPORAL_UI_URL ?? 'http://localhost:8233').replace(/\/$/, ''),
  };
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
