/** Entry point bundled by the Temporal worker. */
export { integrationWorkflow } from './integration';
export { deliveryBatchWorkflow } from './delivery';
export { retentionWorkflow } from './retention';
