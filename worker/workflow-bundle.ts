import { join } from 'node:path';

/** Where `npm run build` (scripts/bundle-workflows) leaves the workflow bundle the worker loads. */
export const WORKFLOW_BUNDLE_PATH = join(__dirname, '..', 'workflow-bundle.js');
