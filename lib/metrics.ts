import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process, served at `/metrics` in Prometheus text format. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const registers = [registry];

export const metrics = {
  webhooksReceived: new Counter({
    name: 'linquid_webhooks_received_total',
    help: 'Inbound webhook requests by provider and outcome (accepted, duplicate, skipped, rejected…)',
    labelNames: ['provider', 'outcome'],
    registers,
  }),
  retentionDeleted: new Counter({
    name: 'linquid_retention_deleted_rows_total',
    help: 'Rows deleted by retention, by table',
    labelNames: ['table'],
    registers,
  }),
  signatureFailures: new Counter({
    name: 'linquid_webhook_signature_failures_total',
    help: 'Inbound webhooks refused for their signature or timestamp',
    labelNames: ['provider', 'reason'],
    registers,
  }),
  inboundProcessed: new Counter({
    name: 'linquid_inbound_events_processed_total',
    help: 'Inbox rows drained, by resulting status',
    labelNames: ['provider', 'status'],
    registers,
  }),
  conversionsApplied: new Counter({
    name: 'linquid_conversions_applied_total',
    help: 'Conversions written by the inbound pipeline',
    labelNames: ['provider'],
    registers,
  }),
  inboxBatchSize: new Histogram({
    name: 'linquid_inbox_batch_size',
    help: 'Events per inbox drain batch',
    buckets: [0, 1, 5, 10, 50, 100, 250, 500, 1000],
    registers,
  }),
  processingLag: new Histogram({
    name: 'linquid_inbound_processing_lag_seconds',
    help: 'From webhook accepted to its inbox row processed',
    labelNames: ['provider'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers,
  }),
  inboxBacklog: new Gauge({
    name: 'linquid_inbox_backlog',
    help: 'Inbox rows waiting to be processed',
    registers,
  }),
  inboxOldestPending: new Gauge({
    name: 'linquid_inbox_oldest_pending_seconds',
    help: 'Age of the oldest inbox row waiting to be processed (0 when none waits)',
    registers,
  }),
  deliveries: new Counter({
    name: 'linquid_deliveries_total',
    help: 'Outbound delivery attempts by provider and outcome',
    labelNames: ['provider', 'outcome'],
    registers,
  }),
  deliveryLatency: new Histogram({
    name: 'linquid_delivery_latency_seconds',
    help: 'Outbound delivery attempt latency',
    labelNames: ['provider'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    registers,
  }),
  credentialChecks: new Counter({
    name: 'linquid_credential_checks_total',
    help: 'Periodic credential checks against provider APIs, by result (ok, unauthorized, invalid_mapping, unchecked, unreachable: one per failed attempt)',
    labelNames: ['provider', 'result'],
    registers,
  }),
  transitions: new Counter({
    name: 'linquid_integration_transitions_total',
    help: 'Lifecycle transitions applied',
    labelNames: ['action', 'to'],
    registers,
  }),
};
