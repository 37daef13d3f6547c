import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Registered on the server (see lib/temporal-server) so operators can filter runs in the Web UI. */
export const WorkspaceIdKey = defineSearchAttributeKey('WorkspaceId', SearchAttributeType.KEYWORD);
export const ProviderKey = defineSearchAttributeKey('Provider', SearchAttributeType.KEYWORD);
export const IntegrationStateKey = defineSearchAttributeKey('IntegrationState', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTE_NAMES = ['WorkspaceId', 'Provider', 'IntegrationState'] as const;

export function integrationWorkflowId(integrationId: string): string {
  return `integration-${integrationId}`;
}
