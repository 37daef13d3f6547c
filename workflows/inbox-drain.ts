import { ActivityCancellationType, CancellationScope, isCancellation, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { failureMessage } from '../contract/failures';
import type { TransitionRequest } from '../contract/lifecycle';
import { refusedData } from './refused-data';

/** Cancelled when a lifecycle request arrives; waits for the drain to stop (after its current batch). */
const { drainInbox } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/**
 * The integration's inbox as its workflow sees it: a doorbell that rang (rows may be waiting), and the
 * drain activity that applies them, one at a time.
 */
export class InboxDrain {
  private running: CancellationScope | undefined;

  constructor(
    private readonly integrationId: string,
    private rang: boolean,
  ) {}

  /** The doorbell: rows were added since the last look. */
  ring(): void {
    this.rang = true;
  }

  hasWork(): boolean {
    return this.rang;
  }

  /** A lifecycle request goes first: the running drain stops after its current batch; the rest is drained after it. */
  interrupt(): void {
    this.running?.cancel();
  }

  /** Drains once; resolves to the lifecycle requests the provider's events made (app uninstalled…). */
  async drain(): Promise<TransitionRequest[]> {
    const { integrationId } = this;
    this.rang = false;
    const scope = new CancellationScope();
    this.running = scope;
    let result: Awaited<ReturnType<typeof drainInbox>>;
    try {
      result = await scope.run(() => drainInbox({ integrationId }));
    } catch (error) {
      if (this.refused(error)) return [];
      if (!isCancellation(error)) throw error;
      // Stopped for a lifecycle request: what it committed stays processed; the rest is drained next.
      this.rang = true;
      return [];
    } finally {
      this.running = undefined;
    }
    // Not `= result.more`: a doorbell that rang during the drain (after its last look at the inbox) set
    // `rang`, and is often delivered in the same activation as the result; overwriting it loses the
    // signal, and the rows wait for the worker's sweep (30 s).
    if (result.more) this.rang = true;
    return result.lifecycle.map((request) => ({ ...request, actor: 'system:inbound' }));
  }

  /** A refused drain leaves its rows pending: the doorbell stays set, so the worker's sweep rings again later. */
  private refused(error: unknown): boolean {
    if (!refusedData(error)) return false;
    log.warn('inbox drain refused by the database', { integrationId: this.integrationId, reason: failureMessage(error) });
    return true;
  }
}
