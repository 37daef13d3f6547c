import type { IntegrationState } from '../contract/states';
import { Client } from 'pg';
import type { Db } from '../db';
import { type InboundSecrets, openInboundSecrets } from '../db/queries/secrets';
import type { SecretBox } from '../lib/crypto';
import { logger } from '../lib/logger';
import type { ProviderModule } from '../providers/types';

/** What the webhook endpoint needs of an integration, ready to use: parsed settings, opened secrets. */
export interface InboundIntegration {
  id: string;
  workspaceId: string;
  state: IntegrationState;
  settings: unknown;
  secrets: InboundSecrets;
}

/** Sent by the `integration_changed` trigger (migration 008) with the integration's id. */
const INTEGRATION_CHANGED_CHANNEL = 'integration_changed';
/** The listener's application_name (with the process id): an operator can tell it in pg_stat_activity. */
export const LISTENER_NAME = 'linquid-integration-changes';
const MAX_ENTRIES = 10_000;
/** A backstop only: every change is announced by NOTIFY. */
const MAX_AGE_MS = 60_000;
/** The listener reconnects after 1 s, then waits twice as long after each failure, up to 15 s. */
const RECONNECT_FIRST_MS = 1_000;
const RECONNECT_MAX_MS = 15_000;

/** Logged when the listener's connection goes away, and for each reconnect that fails after it. */
export const FEED_LOST = 'integration change feed lost: webhooks look integrations up until it is back';
export const FEED_RECONNECT_FAILED = 'integration change feed: reconnect failed';

type Entry = InboundIntegration & { provider: string; loadedAt: number };

/**
 * Integrations as the accept path sees them, kept in memory so a webhook costs no lookup. PostgreSQL
 * says when to forget one: a trigger NOTIFYs every change of state, settings or secrets, whichever
 * process makes it, and this cache LISTENs on a connection of its own. While that connection is down
 * nothing is cached. Changes this process makes are also forgotten before their request answers.
 */
export class InboundIntegrations {
  private readonly entries = new Map<string, Entry>();
  /**
   * Lookups under way. An invalidation drops the integration's slot (all of them when the change feed is
   * lost): a lookup whose slot is gone when it ends may have read the old row, and is used but not kept.
   */
  private readonly loading = new Map<string, { provider: string; entry: Promise<Entry | undefined> }>();
  private listener: Client | undefined;
  private reconnect: NodeJS.Timeout | undefined;
  /** Reconnects that failed since the listener was last up. */
  private failures = 0;
  private closed = false;

  private constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly databaseUrl: string,
    private readonly connectTimeoutMs: number | undefined,
  ) {}

  /** `connectTimeoutMs`: how long the listener's connection may take to open (a stalled server never answers). */
  static async open(db: Db, box: SecretBox, databaseUrl: string, connectTimeoutMs?: number): Promise<InboundIntegrations> {
    const cache = new InboundIntegrations(db, box, databaseUrl, connectTimeoutMs);
    await cache.listen().catch((error: unknown) => cache.lost(error));
    return cache;
  }

  async get(integrationId: string, provider: ProviderModule): Promise<InboundIntegration | undefined> {
    const cached = this.entries.get(integrationId);
    if (cached && cached.provider === provider.id && Date.now() - cached.loadedAt < MAX_AGE_MS) return cached;
    // After an invalidation a burst of webhooks for the same integration shares one lookup.
    const loading = this.loading.get(integrationId);
    if (loading?.provider === provider.id) return loading.entry;
    const slot = { provider: provider.id, entry: this.load(integrationId, provider) };
    this.loading.set(integrationId, slot);
    try {
      const entry = await slot.entry;
      if (entry && this.listener && this.loading.get(integrationId) === slot) this.keep(entry);
      return entry;
    } finally {
      if (this.loading.get(integrationId) === slot) this.loading.delete(integrationId);
    }
  }

  private keep(entry: Entry): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(entry.id, entry);
  }

  private async load(integrationId: string, provider: ProviderModule): Promise<Entry | undefined> {
    const row = await this.db
      .selectFrom('integrations')
      .select(['id', 'workspace_id', 'state', 'settings', 'secrets_sealed', 'retired_secrets_sealed'])
      .where('id', '=', integrationId)
      .where('provider', '=', provider.id)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      workspaceId: row.workspace_id,
      state: row.state,
      settings: provider.settingsSchema.parse(row.settings),
      secrets: openInboundSecrets(this.box, row),
      provider: provider.id,
      loadedAt: Date.now(),
    };
  }

  /** For changes made by this process: the next webhook sees them, whenever the notification arrives. */
  forget(integrationId: string): void {
    this.entries.delete(integrationId);
    // A lookup already under way may have read the old row: later callers start their own.
    this.loading.delete(integrationId);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnect);
    await this.detach()?.end();
  }

  private async listen(): Promise<void> {
    const client = new Client({
      connectionString: this.databaseUrl,
      keepAlive: true,
      connectionTimeoutMillis: this.connectTimeoutMs,
      // LISTEN answers at once; a server that does not is as good as gone.
      query_timeout: this.connectTimeoutMs,
      application_name: `${LISTENER_NAME}-${process.pid}`,
    });
    client.on('notification', ({ payload }) => payload && this.forget(payload));
    // Before it listens, a lost connection fails connect() or LISTEN below instead.
    client.on('error', (error) => this.listener === client && this.lost(error));
    client.on('end', () => this.listener === client && this.lost(new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${INTEGRATION_CHANGED_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) return void (await client.end());
    // Nothing was cached while it was down (changes in that time were not heard): it starts empty.
    this.detach();
    this.listener = client;
    if (this.failures > 0) logger.info({ failedReconnects: this.failures }, 'integration change feed back');
    this.failures = 0;
  }

  private lost(error: unknown): void {
    this.detach()?.end().catch(() => undefined);
    if (this.closed || this.reconnect) return;
    const retryInMs = Math.min(RECONNECT_FIRST_MS * 2 ** this.failures, RECONNECT_MAX_MS);
    logger.warn({ err: error, retryInMs }, this.failures === 0 ? FEED_LOST : FEED_RECONNECT_FAILED);
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      this.listen().catch((retry: unknown) => {
        this.failures += 1;
        this.lost(retry);
      });
    }, retryInMs);
    this.reconnect.unref();
  }

  /** Stops caching (until a listener is attached again) and hands back the listener it had. */
  private detach(): Client | undefined {
    const listener = this.listener;
    this.listener = undefined;
    this.entries.clear();
    this.loading.clear();
    return listener;
  }
}
