import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { integrationWorkflowId } from '../../contract/search-attributes';
import { type Harness, startHarness } from '../support/harness';

/** Recorded histories live in the source tree (not dist); `RECORD_HISTORIES=1 npm test` adds one of the current code, dated. */
const HISTORIES_DIR = join(__dirname, '..', '..', '..', 'test', 'histories');
const bundle = () => ({ workflowBundle: { codePath: process.env.LINQUID_TEST_WORKFLOW_BUNDLE! } });

describe('workflow determinism', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  it('replays every recorded history against the current workflow code', async () => {
    const files = readdirSync(HISTORIES_DIR).filter((file) => file.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const history = JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8'));
      await expect(Worker.runReplayHistory(bundle(), history, file)).resolves.toBeUndefined();
    }
  });

  it('replays a fresh lifecycle run, including its inbound drains', async () => {
    const { key } = await h.newWorkspace();
    const installed = await h.api('POST', '/v1/integrations', { key, body: { provider: 'stripe', secrets: { webhookSecret: 'whsec_replay' } } });
    const id = installed.body.id as string;
    for (const action of ['pause', 'resume', 'disconnect']) {
      expect((await h.api('POST', `/v1/integrations/${id}/${action}`, { key })).status).toBe(200);
    }
    const handle = h.temporal.workflow.getHandle(integrationWorkflowId(id));
    await handle.result();
    const history = await handle.fetchHistory();
    await expect(Worker.runReplayHistory(bundle(), history, id)).resolves.toBeUndefined();
    if (process.env.RECORD_HISTORIES === '1') {
      writeFileSync(join(HISTORIES_DIR, `integration-lifecycle-${new Date().toISOString().slice(0, 10)}.json`), historyToJSON(history));
    }
  });
});
