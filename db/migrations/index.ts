import type { Migration } from 'kysely';
import * as foundation from './001_foundation';
import * as inbound from './002_inbound';
import * as outbound from './003_outbound';
import * as readIndexes from './004_read_indexes';
import * as health from './005_health';
import * as destinationTaskQueue from './006_destination_task_queue';
import * as leanWrites from './007_lean_writes';
import * as integrationChanges from './008_integration_changes';
import * as leanQueues from './009_lean_queues';
import * as documentAmounts from './010_document_amounts';
import * as refundReports from './011_refund_reports';
import * as delivers from './012_delivers';
import * as replayAndTransitions from './013_replay_and_transitions';
import * as oauthStates from './014_oauth_states';
import * as destinationGone from './015_destination_gone';
import * as reasonCodes from './016_reason_codes';
import * as partialCustomerIndexes from './017_partial_customer_indexes';
import * as payloadBytes from './018_payload_bytes';

/** Listed in code (not read from disk) so the compiled service carries its own migrations. */
export const migrations: Record<string, Migration> = {
  '001_foundation': foundation,
  '002_inbound': inbound,
  '003_outbound': outbound,
  '004_read_indexes': readIndexes,
  '005_health': health,
  '006_destination_task_queue': destinationTaskQueue,
  '007_lean_writes': leanWrites,
  '008_integration_changes': integrationChanges,
  '009_lean_queues': leanQueues,
  '010_document_amounts': documentAmounts,
  '011_refund_reports': refundReports,
  '012_delivers': delivers,
  '013_replay_and_transitions': replayAndTransitions,
  '014_oauth_states': oauthStates,
  '015_destination_gone': destinationGone,
  '016_reason_codes': reasonCodes,
  '017_partial_customer_indexes': partialCustomerIndexes,
  '018_payload_bytes': payloadBytes,
};
