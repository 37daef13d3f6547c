import type { DeliveryRef, RetryRef } from '../../contract/delivery';
import type { ActivityDeps } from '../deps';
import { type Candidate, openAttempts } from './attempt';

/** Deliveries opened per statement. */
const CHUNK = 50;

/** Hands out an activity's deliveries one at a time, opening them CHUNK at a time as the lanes ask. */
export function deliveryQueue(db: ActivityDeps['db'], refs: DeliveryRef[], firstOfRound: boolean) {
  const opened: Candidate[] = [];
  const waiting: RetryRef[] = [];
  let offset = 0;
  let opening: Promise<void> | undefined;
  const open = async () => {
    const chunk = refs.slice(offset, offset + CHUNK);
    offset += CHUNK;
    const next = await openAttempts(db, chunk, firstOfRound);
    opened.push(...next.candidates);
    waiting.push(...next.waiting);
  };
  return {
    async next(): Promise<Candidate | undefined> {
      while (opened.length === 0 && (opening || offset < refs.length)) {
        opening ??= open().finally(() => {
          opening = undefined;
        });
        await opening;
      }
      return opened.shift();
    },
    /** A candidate taken but not sent after all. */
    putBack: (candidate: Candidate) => void opened.unshift(candidate),
    /** Opened but not sent, and never opened. */
    unsent: (): DeliveryRef[] => [...opened.map((candidate) => candidate.ref), ...refs.slice(offset)],
    /** Already attempted in an earlier try of this activity, waiting for their retry. */
    waiting,
  };
}
