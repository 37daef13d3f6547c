import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_PATH } from '../worker/workflow-bundle';

/**
 * Bundles `workflows/` once at build time: a worker that bundles at start-up carries webpack in its
 * heap (~150 MB) and spends seconds before it polls.
 */
async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: console.warn, error: console.error, log: () => undefined },
  });
  writeFileSync(WORKFLOW_BUNDLE_PATH, code);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
