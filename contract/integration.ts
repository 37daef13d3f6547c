import type { IntegrationStatus } from './lifecycle';

/** What starts (and continues as new) an `integration-<id>` workflow. */
export interface IntegrationWorkflowInput {
  integrationId: string;
  workspaceId: string;
  provider: string;
  status: IntegrationStatus;
  /** Start by draining the inbox (always true after continue-as-new: work may have arrived meanwhile). */
  workPending?: boolean;
  /** How often an active integration's credentials are checked with its provider (0: never). */
  credentialCheckIntervalMs: number;
  /** Carried across continue-as-new so a busy integration (short runs) is still checked on time. */
  nextCredentialCheckAt?: number;
}
