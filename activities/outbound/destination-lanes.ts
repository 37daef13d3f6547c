import { GONE } from './attempt';

/** A request's hold on its destination: `signal` aborts when the destination is stopped. */
interface Lane {
  signal: AbortSignal;
  release(): void;
}

interface Gate {
  /** Limited lanes held (first attempts), including those handed to a waiter. */
  held: number;
  /** Lanes and waiters of any kind: the gate is forgotten when none are left. */
  users: number;
  waiting: Array<(granted: boolean) => void>;
  stop: AbortController;
}

/**
 * What this worker process is sending to each destination, across all its delivery activities: at
 * most `limit` first attempts in flight per destination (however many batches it has), and a stop that
 * the first 410 throws — no new request starts, the ones in flight are aborted. Other processes learn of
 * a 410 from `integrations.gone_at`; this only spares the process the wait for that row.
 */
export class DestinationLanes {
  private readonly gates = new Map<string, Gate>();

  constructor(private readonly limit: number) {}

  /** A lane to `destinationId` (waiting its turn for one of `limit` when `limited`); undefined once it is stopped. */
  async enter(destinationId: string, limited: boolean): Promise<Lane | undefined> {
    const gate = this.gateOf(destinationId);
    gate.users += 1;
    let holds = false;
    if (limited && !gate.stop.signal.aborted) {
      if (gate.held < this.limit) gate.held += 1;
      // A released lane is handed straight to the longest waiter (false: stopped meanwhile).
      else if (!(await new Promise<boolean>((grant) => gate.waiting.push(grant)))) return this.leave(destinationId, gate, false);
      holds = true;
    }
    if (gate.stop.signal.aborted) return this.leave(destinationId, gate, holds);
    let released = false;
    return {
      signal: gate.stop.signal,
      release: () => {
        if (released) return;
        released = true;
        this.leave(destinationId, gate, holds);
      },
    };
  }

  /** The destination answered 410: nothing more starts here, and what is in flight is aborted. */
  stop(destinationId: string): void {
    const gate = this.gates.get(destinationId);
    if (!gate || gate.stop.signal.aborted) return;
    gate.stop.abort(new Error(`cancelled: ${GONE}`));
    for (const grant of gate.waiting.splice(0)) grant(false);
  }

  private gateOf(destinationId: string): Gate {
    let gate = this.gates.get(destinationId);
    if (!gate) {
      gate = { held: 0, users: 0, waiting: [], stop: new AbortController() };
      this.gates.set(destinationId, gate);
    }
    return gate;
  }

  private leave(destinationId: string, gate: Gate, holds: boolean): undefined {
    if (holds) {
      const next = gate.waiting.shift();
      if (next) next(true);
      else gate.held -= 1;
    }
    gate.users -= 1;
    if (gate.users === 0 && this.gates.get(destinationId) === gate) this.gates.delete(destinationId);
    return undefined;
  }
}
