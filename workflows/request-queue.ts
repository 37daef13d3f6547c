import { allHandlersFinished, ApplicationFailure, condition, uuid4 } from '@temporalio/workflow';
import type { IntegrationStatus, TransitionRequest } from '../contract/lifecycle';

export interface QueuedRequest {
  id: string;
  request: TransitionRequest;
}

type Answer = IntegrationStatus | ApplicationFailure;

/**
 * Lifecycle requests in arrival order, applied one at a time by the main loop (as in Temporal's
 * safe-message-handlers sample: handlers only enqueue, so no two transitions interleave). A request that
 * came as an update is answered with the state it led to, or the reason it was refused.
 */
export class RequestQueue {
  private readonly waiting: QueuedRequest[] = [];
  private readonly answers = new Map<string, Answer>();

  /** `onArrival` runs for every request: a long drain is asked to stop, so the request goes first. */
  constructor(private readonly onArrival: () => void) {}

  enqueue(request: TransitionRequest): string {
    const id = uuid4();
    this.waiting.push({ id, request });
    this.onArrival();
    return id;
  }

  /** Enqueues an update's request and waits for its answer; a refusal is thrown to the caller. */
  async submit(request: TransitionRequest): Promise<IntegrationStatus> {
    const id = this.enqueue(request);
    await condition(() => this.answers.has(id));
    const answer = this.answers.get(id)!;
    this.answers.delete(id);
    if (answer instanceof ApplicationFailure) throw answer;
    return answer;
  }

  hasWaiting(): boolean {
    return this.waiting.length > 0;
  }

  next(): QueuedRequest | undefined {
    return this.waiting.shift();
  }

  answer(id: string, answer: Answer): void {
    this.answers.set(id, answer);
  }

  /**
   * Before continue-as-new: waits until every update handler has its answer, or a request arrives
   * (served first: its handler could not finish otherwise). True when nothing is waiting.
   */
  async settled(): Promise<boolean> {
    await condition(() => allHandlersFinished() || this.hasWaiting());
    return !this.hasWaiting();
  }

  /** The run ends: requests still waiting are refused with `reason`. */
  refuseWaiting(reason: string): void {
    for (const { id } of this.waiting.splice(0)) this.answer(id, ApplicationFailure.nonRetryable(reason, 'IllegalTransition'));
  }
}
