import { requestTransition } from '../services/integration-workflows';
import type { TransitionRequest } from '../contract/lifecycle';
import type { ApiContext } from './context';

/**
 * A lifecycle transition asked by this process: waits for the workflow's answer, then drops the
 * webhook endpoint's cached copy, so the very next webhook sees the new state (other API processes
 * learn it from the database's NOTIFY).
 */
export async function transitionIntegration({ temporal, inbound }: Pick<ApiContext, 'temporal' | 'inbound'>, integrationId: string, request: TransitionRequest): Promise<void> {
  await requestTransition(temporal, integrationId, request);
  inbound.forget(integrationId);
}
