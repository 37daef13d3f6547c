import type { SecretBox } from './crypto';
import { constantTimeEqual } from './crypto';

/**
 * Marks a webhook sent by `POST /v1/integrations/:id/test`: an HMAC of the exact body under a key
 * derived from the server's encryption key. A plain "this is a test" header is never trusted: anyone
 * could hide real traffic from analytics and destinations with it.
 */
export const TEST_EVENT_HEADER = 'x-linquid-test-event';
const PURPOSE = 'test-event';

export function testEventMark(box: SecretBox, body: string | Buffer): string {
  return box.mac(PURPOSE, body);
}

export function isTestEvent(box: SecretBox, headers: Record<string, string | undefined>, rawBody: Buffer): boolean {
  const mark = headers[TEST_EVENT_HEADER];
  return mark !== undefined && constantTimeEqual(mark, testEventMark(box, rawBody));
}
