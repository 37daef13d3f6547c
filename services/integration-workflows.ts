import type { Client } from '@temporalio/client';
import type { IntegrationRow } from '../db/schema';
import { getProvider } from '../providers';
import { transitionUpdate } from '../contract/definitions';
import type { IntegrationWorkflowInput } from '../contract/integration';
import type { IntegrationStatus, TransitionRequest } from '../contract/lifecycle';
import { IntegrationStateKey, integrationWorkflowId, ProviderKey, WorkspaceIdKey } from '../contract/search-attributes';

/** Starts the long-lived workflow that owns an integration's lifecycle. */
export async function startIntegrationWorkflow(
  temporal: Client,
  taskQueue: string,
  row: IntegrationRow,
  displayName: string,
  credentialCheckIntervalMs: number,
): Promise<void> {
  const input: IntegrationWorkflowInput = {
    integrationId: row.id,
    workspaceId: row.workspace_id,
    provider: row.provider,
    status: { state: row.state, reason: row.state_reason, changedAt: row.state_changed_at.toISOString() },
    // A provider with no API to ask (generic webhooks, Segment) gets no check timer: no history spent on it.
    credentialCheckIntervalMs: getProvider(row.provider)?.credentials ? credentialCheckIntervalMs : 0,
  };
  await temporal.workflow.start('integrationWorkflow', {
    taskQueue,
    workflowId: integrationWorkflowId(row.id),
    args: [input],
    typedSearchAttributes: [
      { key: WorkspaceIdKey, value: row.workspace_id },
      { key: ProviderKey, value: row.provider },
      { key: IntegrationStateKey, value: row.state },
    ],
    staticSummary: `${displayName} integration ${row.id} (workspace ${row.workspace_id})`,
    staticDetails: `Lifecycle of the ${displayName} integration ${row.id}: transitions arrive as signals/updates, inbound webhooks are drained from the inbox in batches.`,
  });
}

/** Asks the workflow for a transition and waits for the resulting state (or its refusal). */
export async function requestTransition(temporal: Client, integrationId: string, request: TransitionRequest): Promise<IntegrationStatus> {
  return temporal.workflow.getHandle(integrationWorkflowId(integrationId)).executeUpdate(transitionUpdate, { args: [request] });
}
