import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { constantTimeEqual } from '../lib/crypto';
import { signStripe } from '../providers/stripe/verify';

/**
 * The baseline accept endpoint, in a process of its own like the API: only the work no accept can skip —
 * check a Stripe signature (HMAC-SHA256, constant-time compare, timestamp tolerance), read the event id,
 * insert one row under a unique key with a prepared statement. Its throughput is this machine's ceiling.
 */
const secret = process.env.BASELINE_SECRET!;
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.BASELINE_POOL ?? 10) });
// An idle connection lost (the server restarted) is dropped by the pool; unheard, the event would end the process.
pool.on('error', () => undefined);
const TOLERANCE_S = 300;
const INSERT = 'INSERT INTO bench_baseline (event_id, payload) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING';

function verified(header: string, body: Buffer): boolean {
  const pairs = new Map(header.split(',').map((pair) => pair.split('=') as [string, string]));
  const timestamp = Number(pairs.get('t'));
  const signature = pairs.get('v1');
  if (!signature || !Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > TOLERANCE_S) return false;
  return constantTimeEqual(signature, signStripe(secret, timestamp, body));
}

async function accept(body: Buffer, signature: string): Promise<number> {
  if (!verified(signature, body)) return 401;
  const text = body.toString('utf8');
  const event = JSON.parse(text) as { id: string };
  await pool.query({ name: 'baseline-insert', text: INSERT, values: [event.id, text] });
  return 200;
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    accept(Buffer.concat(chunks), String(req.headers['stripe-signature'] ?? '')).then(
      (status) => res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{"received":1}' : '{}'),
      () => res.writeHead(500).end(),
    );
  });
});
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
process.once('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
