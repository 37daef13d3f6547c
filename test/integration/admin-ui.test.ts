import type { Page } from 'playwright-core';
import type { FakeProviderApi } from '../support/fakes/fake-provider-api';
import { startFakeStripeApi } from '../support/fakes/fake-stripe-api';
import { type FakeSlack, newSlackCode, startFakeSlack } from '../support/fakes/slack';
import { openBrowser } from '../support/browser';
import { genericEvent, newWebhookSecret, sendGeneric } from '../support/generic-webhook';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { outboundHelpers, saleEvent } from '../support/outbound';
import { stripeHeaders } from '../support/signers';
import { stripeInvoicePaid } from '../support/stripe-events';

const STRIPE_SECRET = 'whsec_ui_chart_secret';
const STRIPE_KEY = 'sk_test_ui_first_key_0001';
const STRIPE_NEW_KEY = 'sk_test_ui_second_key_0002';

/** Roles of the controls a person operates (buttons, links, fields). */
const CONTROL_ROLES = new Set(['button', 'link', 'textbox', 'searchbox', 'combobox', 'listbox', 'checkbox', 'radio', 'spinbutton', 'slider', 'switch']);

/** The page's controls as Chromium's accessibility tree has them, and those it computes no accessible name for. */
async function controlNames(page: Page): Promise<{ controls: number; unnamed: string[] }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: Array<{ ignored: boolean; role?: { value?: string }; name?: { value?: string }; backendDOMNodeId?: number }> };
    const controls = nodes.filter((node) => !node.ignored && CONTROL_ROLES.has(node.role?.value ?? ''));
    return { controls: controls.length, unnamed: controls.filter((node) => !node.name?.value?.trim()).map((node) => `${node.role?.value} (DOM node ${node.backendDOMNodeId})`) };
  } finally {
    await cdp.detach();
  }
}

/** What a person operates with the keyboard: enabled controls and the `<summary>` of each panel. */
const TABBABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), summary';

/** Tabs through the page from its first control; answers the visible controls Tab never reached (mouse-only ones). */
async function unreachedByTab(page: Page): Promise<string[]> {
  const total = (await page.evaluate(`(() => {
    const controls = [...document.querySelectorAll(${JSON.stringify(TABBABLE)})].filter((element) => element.getClientRects().length > 0);
    controls.forEach((element, index) => { element.dataset.tabProbe = String(index); });
    controls[0]?.focus();
    return controls.length;
  })()`)) as number;
  const reached = new Set(['0']);
  for (let step = 0; step < total + 5; step++) {
    await page.keyboard.press('Tab');
    const probe = (await page.evaluate('document.activeElement?.dataset?.tabProbe ?? null')) as string | null;
    if (probe !== null) reached.add(probe);
  }
  const present = await page.locator('[data-tab-probe]').evaluateAll((elements) => elements.map((element) => [(element as unknown as { dataset: { tabProbe: string } }).dataset.tabProbe, (element as unknown as { outerHTML: string }).outerHTML.slice(0, 120)]));
  return present.filter(([probe]) => !reached.has(probe!)).map(([, html]) => html!);
}

/** The admin UI walked as a person would, in Chromium, against the real API, PostgreSQL and Temporal. */
describe('admin UI', () => {
  let h: Harness;
  let slack: FakeSlack;
  let stripeApi: FakeProviderApi;
  let key: string;
  let out: ReturnType<typeof outboundHelpers>;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let page: Page;

  const badge = () => page.getByRole('heading', { level: 1 }).getByTestId('state-badge');

  beforeAll(async () => {
    [slack, stripeApi] = await Promise.all([startFakeSlack(), startFakeStripeApi([STRIPE_KEY])]);
    h = await startHarness({
      SLACK_API_URL: slack.apiUrl,
      // Credentials are checked with the stand-in Stripe API every second: a revoked key moves its integration to error.
      STRIPE_API_URL: stripeApi.url,
      CREDENTIAL_CHECK_INTERVAL_MS: '1000',
      SLACK_CLIENT_ID: 'client-ui',
      SLACK_CLIENT_SECRET: 'client-ui-secret',
      DELIVERY_RETRY_INITIAL_MS: '50',
      DELIVERY_RETRY_MAX_MS: '100',
      DELIVERY_RETRY_WINDOW_MS: '300',
      DELIVERY_FAILURE_THRESHOLD: '1000',
    });
    key = (await h.newWorkspace('UI')).key;
    out = outboundHelpers(h, () => key);
    browser = await openBrowser();
    page = browser.page;
  });
  afterAll(async () => {
    await browser?.close();
    await out.stop();
    await slack.close();
    await stripeApi.close();
  });
  // Last in the file: a script error or CSP violation on any page the tests above opened fails the run.
  afterAll(() => expect(browser.problems()).toEqual([]));

  it('serves the API reference at /docs: Swagger UI renders every operation under its own CSP', async () => {
    await page.goto(`${h.url}/docs`);
    await page.locator('.swagger-ui .opblock').first().waitFor();
    const operations = Object.values(((await (await fetch(`${h.url}/v1/openapi.json`)).json()) as { paths: Record<string, object> }).paths).reduce((sum, path) => sum + Object.keys(path).length, 0);
    expect(await page.locator('.swagger-ui .opblock').count()).toBe(operations);
    await browser.screenshot('api-docs');
  });

  it('is served with a CSP, immutable hashed assets and a no-cache index', async () => {
    const index = await fetch(`${h.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await index.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const script = await fetch(`${h.url}${asset}`);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // Nothing secret is built in: no workspace key, signing secret, admin token or encryption key.
    const secrets = [h.config.adminToken, h.config.encryptionKey].filter((value): value is string => Boolean(value)).map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    expect(await script.text()).not.toMatch(new RegExp(['lq_[A-Za-z0-9_-]{16}', 'whsec_', ...secrets].join('|')));
  });

  it('refuses a wrong key with a message, then signs in; the first load leaves the forms and the chart out', async () => {
    const scripts: string[] = [];
    const loaded = (request: { url(): string; resourceType(): string }) => request.resourceType() === 'script' && scripts.push(new URL(request.url()).pathname);
    page.on('request', loaded);
    await page.goto(`${h.url}/`);
    await page.getByLabel('Workspace API key').fill('lq_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not valid for any workspace' }).waitFor();
    await browser.screenshot('sign-in');
    await page.getByLabel('Workspace API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Catalog' }).waitFor();
    await page.getByRole('heading', { name: 'Payments' }).waitFor();
    await browser.screenshot('catalog');
    // The pages with the JSON-Schema forms and the chart are chunks of their own, loaded when first opened.
    page.off('request', loaded);
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((script) => /SchemaForm|Conversions|ProviderDetail|IntegrationPage/.test(script))).toEqual([]);
  });

  it('installs Stripe from the catalog with a pasted secret → active; the test passes every step; a settings error shows at its field; pause disables actions', async () => {
    await page.getByRole('link', { name: 'Stripe' }).click();
    await page.getByRole('heading', { name: 'Stripe', level: 1 }).waitFor();
    // What it records: each event type and what it becomes, as the normalizer declares it.
    const records = page.getByRole('table', { name: 'What it records' });
    for (const [type, becomes] of [['invoice.paid', 'sale, sale alias'], ['charge.refunded', 'refund'], ['customer.created', 'customer, lead'], ['account.application.deauthorized', 'disconnect']]) {
      expect(await records.getByRole('row').filter({ has: page.getByRole('cell', { name: type, exact: true }) }).getByRole('cell').nth(1).textContent()).toBe(becomes);
    }
    // …and when: the settings it depends on by their titles, not their keys.
    const whenOf = (type: string) => records.getByRole('row').filter({ has: page.getByRole('cell', { name: type, exact: true }) }).getByRole('cell').nth(2).textContent();
    expect(await whenOf('invoice.paid')).toBe('an invoice that paid something, with “Record sales and refunds”');
    // A one-word key is left as the word it is (the checkout's mode, not the Mode setting).
    expect(await whenOf('checkout.session.completed')).toBe('a paid checkout (not setup mode), with “Record sales and refunds”');
    // Booleans are one line, box then label, reached with Tab and toggled with Space.
    const trials = page.getByRole('checkbox', { name: 'Record free trials' });
    const seats = page.getByRole('checkbox', { name: 'Record seats' });
    const [box, label] = [await seats.boundingBox(), await page.locator('label', { hasText: 'Record seats' }).boundingBox()];
    expect(box!.x + box!.width).toBeLessThanOrEqual(label!.x);
    expect(Math.abs(box!.y + box!.height / 2 - (label!.y + label!.height / 2))).toBeLessThan(label!.height / 2);
    await trials.focus();
    await page.keyboard.press('Tab');
    expect(await seats.evaluate((element) => element === (element as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement)).toBe(true);
    await page.keyboard.press('Space');
    expect(await seats.isChecked()).toBe(true);
    await page.getByLabel('Signing secret', { exact: true }).fill('whsec_ui_pasted_secret');
    await browser.screenshot('provider-detail');
    await page.getByRole('button', { name: 'Install Stripe' }).click();
    await page.getByRole('status').filter({ hasText: 'installed and active' }).waitFor();
    await page.getByRole('link', { name: 'Open the integration' }).click();
    await badge().filter({ hasText: 'active' }).waitFor();

    await page.getByRole('button', { name: 'Run test' }).click();
    await page.getByText('Every step passed.').waitFor();
    const steps = page.getByTestId('test-step');
    expect(await steps.count()).toBeGreaterThan(0);
    expect(await steps.locator('[aria-label="failed"]').count()).toBe(0);
    await browser.screenshot('integration-tested');

    await page.getByLabel('Account id', { exact: true }).fill('not-an-account');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const field = page.locator('.form-group').filter({ has: page.getByLabel('Account id', { exact: true }) });
    await field.locator('.text-danger', { hasText: 'must match pattern' }).waitFor();
    await browser.screenshot('settings-error');
    await page.getByLabel('Account id', { exact: true }).fill('');
    // Stripe's signing secret rotates (Stripe issues the new one, so it is asked for).
    await page.getByText('Rotate the signing secret').click();
    await page.getByLabel('New signing secret, as Stripe issued it').waitFor();

    await page.getByRole('button', { name: 'Pause' }).click();
    await badge().filter({ hasText: 'paused' }).waitFor();
    expect(await page.getByRole('button', { name: 'Pause' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Resume', exact: true }).isEnabled()).toBe(true);
    await page.getByText('cannot pause an integration that is paused').waitFor();
    await page.getByRole('cell', { name: 'pause', exact: true }).waitFor();
    await browser.screenshot('integration-paused');

    await page.getByRole('link', { name: 'Installed', exact: true }).click();
    await page.getByRole('heading', { name: 'Installed integrations' }).waitFor();
    await page.getByLabel('State').selectOption('paused');
    // Each row is named by the provider's display name, not its id.
    await page.getByTestId('integration-row').getByRole('link', { name: 'Stripe', exact: true }).waitFor();
    expect(await page.getByTestId('integration-row').getByRole('link').allTextContents()).toEqual(['Stripe']);
    await browser.screenshot('installed');
  });

  it('installs a generic webhook: array settings by their buttons, the server’s errors at their field, the issued secret copied and shown once', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
    const clipboard = () => page.evaluate('navigator.clipboard.readText()');
    await page.goto(`${h.url}/#/providers/webhook`);
    await page.getByRole('heading', { name: 'Webhook', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'What it records' }).getByRole('row').filter({ hasText: 'any type it is sent' }).filter({ hasText: 'lead, sale' }).waitFor();

    // Trigger events is an array: add an item, move it up, remove the others, each by its button's name.
    const triggers = page.getByRole('group', { name: 'Trigger events' });
    const items = triggers.getByRole('group', { name: /^Item \d+$/ });
    const chosen = () => items.locator('select').evaluateAll((selects) => selects.map((select) => (select as unknown as { selectedOptions: Array<{ textContent: string }> }).selectedOptions[0]?.textContent));
    expect(await chosen()).toEqual(['lead.created', 'sale.created']);
    // Each item's field is named like its group ("Item 2"), not rjsf's "Trigger events-2".
    expect(await triggers.getByRole('combobox').evaluateAll((selects) => selects.map((select) => (select as unknown as { labels: Array<{ textContent: string }> }).labels[0]?.textContent?.replace(/\*$/, '')))).toEqual(['Item 1', 'Item 2']);
    await triggers.getByRole('button', { name: 'Add item' }).click();
    await waitFor(async () => (await items.count()) === 3, 'a third trigger event');
    await items.nth(2).locator('select').selectOption('link.clicked');
    await triggers.getByRole('group', { name: 'Item 3' }).getByRole('button', { name: 'Move up' }).click();
    expect(await chosen()).toEqual(['lead.created', 'link.clicked', 'sale.created']);
    await triggers.getByRole('group', { name: 'Item 3' }).getByRole('button', { name: 'Remove' }).click();
    await triggers.getByRole('group', { name: 'Item 1' }).getByRole('button', { name: 'Remove' }).click();
    // Only link.clicked, which nothing in these tests emits: this destination stays quiet.
    expect(await chosen()).toEqual(['link.clicked']);

    // The server's issues[].path errors show at the field they name: the schema's…
    const url = page.getByLabel('Destination URL', { exact: true });
    const urlField = page.locator('.form-group').filter({ has: url });
    await url.fill('not a url');
    await page.getByRole('button', { name: 'Install Webhook' }).click();
    await urlField.locator('.text-danger', { hasText: 'Invalid URL' }).waitFor();
    // …and the SSRF guard's.
    await url.fill('https://user:password@example.com/hook');
    await page.getByRole('button', { name: 'Install Webhook' }).click();
    await urlField.locator('.text-danger', { hasText: 'must not contain credentials' }).waitFor();
    expect(await urlField.locator('.text-danger').textContent()).not.toContain('Invalid URL');
    await browser.screenshot('provider-detail-errors');
    await url.fill('');
    await page.getByRole('button', { name: 'Install Webhook' }).click();
    await page.getByRole('status').filter({ hasText: 'installed and active' }).waitFor();

    // The inbound URL and the secret Linquid issued, each with a Copy button that puts it on the clipboard.
    const inboundUrl = await page.locator('.copyable', { has: page.getByRole('button', { name: 'Copy inbound webhook URL' }) }).locator('code').textContent();
    expect(inboundUrl).toMatch(new RegExp(`^${h.url}/webhooks/webhook/int_\\w+$`));
    await page.getByRole('button', { name: 'Copy inbound webhook URL' }).click();
    await waitFor(async () => (await clipboard()) === inboundUrl, 'the inbound URL on the clipboard');
    const copySecret = page.getByRole('button', { name: 'Copy signing secret' });
    const secret = (await page.locator('.copyable', { has: copySecret }).locator('code').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    await copySecret.click();
    await copySecret.filter({ hasText: 'Copied' }).waitFor();
    expect(await clipboard()).toBe(secret);
    await browser.screenshot('installed-secret-once');

    // Shown once: not on the integration page (masked there), nor on the provider page when coming back.
    await page.getByRole('link', { name: 'Open the integration' }).click();
    await badge().filter({ hasText: 'active' }).waitFor();
    const masked = page.locator('.facts > div', { has: page.getByRole('term').filter({ hasText: /^Signing secret$/ }) }).getByRole('definition');
    expect(await masked.textContent()).not.toBe('not set');
    expect(await page.content()).not.toContain(secret);
    await page.goBack();
    await page.getByRole('button', { name: 'Install Webhook' }).waitFor();
    expect(await page.content()).not.toContain(secret);

    // Rotating issues a new one, shown once with its Copy button; gone after leaving the page.
    await page.goForward();
    await page.getByText('Rotate the signing secret').click();
    expect(await page.getByLabel(/New signing secret/).count()).toBe(0);
    await page.getByRole('button', { name: 'Rotate', exact: true }).click();
    const copyRotated = page.getByRole('button', { name: 'Copy new signing secret' });
    const rotated = (await page.locator('.copyable', { has: copyRotated }).locator('code').textContent())!;
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await copyRotated.click();
    await waitFor(async () => (await clipboard()) === rotated, 'the new secret on the clipboard');
    await browser.screenshot('rotated-secret-once');
    await page.getByRole('link', { name: 'Catalog' }).click();
    await page.getByRole('heading', { name: 'Catalog' }).waitFor();
    await page.goBack();
    await badge().filter({ hasText: 'active' }).waitFor();
    expect(await page.content()).not.toContain(rotated);
  });

  it('a failing destination shows its diagnostics finding, whose first action opens the failing delivery; Redeliver says why it is refused until it is resumed, then sends a new round', async () => {
    let answer = 500;
    const receiver = await out.receiver(() => ({ status: answer }));
    const destination = await out.installWebhook(receiver.url, receiver.secret, ['sale.created']);
    await out.emit(saleEvent({ amountMinor: 4200, currency: 'EUR' }));
    await waitFor(async () => (await h.api('GET', `/v1/integrations/${destination.id}/deliveries?status=failed`, { key })).body.data.length > 0, 'a failed delivery');
    await waitFor(async () => (await out.state(destination.id)) === 'error', 'the destination in error');
    // The installed list, filtered by provider and state, shows it failing with its last activity.
    await page.goto(`${h.url}/#/integrations`);
    await page.getByLabel('Provider').selectOption('webhook');
    await page.getByLabel('State').selectOption('error');
    const listed = page.getByTestId('integration-row').filter({ hasText: destination.id });
    await listed.getByTestId('health-badge').filter({ hasText: 'failing' }).waitFor();
    await waitFor(async () => (await page.getByTestId('integration-row').count()) === 1, 'only the filtered row');
    expect(await listed.getByTestId('last-activity').textContent()).not.toBe('');
    expect(await listed.getByRole('link').textContent()).toBe('Webhook');
    await browser.screenshot('installed-failing');
    await page.goto(`${h.url}/#/integrations/${destination.id}`);
    const finding = page.getByTestId('finding').filter({ hasText: 'delivery_failures' });
    await finding.waitFor();
    // Its first action is a button that opens the failing delivery's attempts, with the destination's answer.
    await finding.getByTestId('first-action').getByRole('button', { name: 'Open the failing delivery' }).click();
    const attempts = page.getByRole('dialog', { name: /^Delivery dlv_/ });
    await attempts.getByTestId('attempt').filter({ hasText: '500' }).first().waitFor();
    await browser.screenshot('destination-failing-delivery');
    await attempts.getByRole('button', { name: 'Close' }).click();
    await attempts.waitFor({ state: 'hidden' });
    const delivery = page.getByTestId('delivery').first();
    await delivery.getByText('round 1').waitFor();
    await browser.screenshot('destination-failing');
    // Failing past its retry window moved the destination to error: a redelivery is refused until it is resumed.
    await delivery.getByRole('button', { name: 'Redeliver' }).click();
    await page.getByRole('alert').filter({ hasText: 'must be active to receive a redelivery' }).waitFor();
    // The endpoint is fixed before Resume: still failing, it would send the destination back to error within its retry window.
    answer = 200;
    // Resumed from the stuck_in_error finding, whose first action is the resume.
    const stuck = page.getByTestId('finding').filter({ hasText: 'stuck_in_error' });
    await stuck.getByTestId('first-action').getByRole('button', { name: 'Resume the integration' }).click();
    await badge().filter({ hasText: 'active' }).waitFor();
    await stuck.waitFor({ state: 'detached' });
    // Resume re-sends what failed during the streak as round 2; Redeliver then sends round 3.
    await delivery.getByText('round 2').waitFor();
    await delivery.getByText('succeeded').waitFor();
    await delivery.getByRole('button', { name: 'Redeliver' }).click();
    await delivery.getByText('round 3').waitFor();
    await delivery.getByText('succeeded').waitFor();
    // Both successful rounds carried the same webhook-id, so the receiver can dedupe.
    expect([...receiver.delivered().values()]).toEqual([2]);
    await browser.screenshot('destination-redelivered');
  });

  it('charts the conversions', async () => {
    const stripe = await out.install('stripe', {}, { webhookSecret: STRIPE_SECRET });
    const body = stripeInvoicePaid('evt_ui_chart', 'in_ui_chart', 4200, 'eur');
    expect((await h.post(`/webhooks/stripe/${stripe.id}`, body, stripeHeaders(body, STRIPE_SECRET))).status).toBe(200);
    await waitFor(async () => (await h.api('GET', '/v1/conversions?type=sale', { key })).body.data.length > 0, 'the sale conversion');
    await page.getByRole('link', { name: 'Conversions' }).click();
    await page.getByTestId('conversion-total').filter({ hasText: /^[1-9]\d* conversions/ }).waitFor();
    await page.getByTestId('chart').locator('canvas').waitFor();
    await page.getByRole('cell', { name: 'sale' }).first().waitFor();
    // The customers and events the webhooks became, filterable; a filter the API refuses is a readable message.
    await page.getByTestId('customer').first().waitFor();
    const events = page.getByRole('table', { name: 'Recent events' });
    await page.getByLabel('Event type').fill('sale');
    await page.getByRole('alert').filter({ hasText: 'an event type such as sale.created' }).waitFor();
    await page.getByLabel('Event type').fill('sale.created');
    await events.getByTestId('workspace-event').first().waitFor();
    await waitFor(async () => (await events.getByTestId('workspace-event').allTextContents()).every((row) => row.includes('sale.created')), 'only sale.created events');
    await browser.screenshot('conversions');
  });

  it('shows a received Stripe webhook’s payload as Stripe sent it, in a dialog the keyboard opens and closes', async () => {
    const stripe = await out.install('stripe', {}, { webhookSecret: STRIPE_SECRET });
    const body = stripeInvoicePaid('evt_ui_payload', 'in_ui_payload', 1234, 'usd');
    expect((await h.post(`/webhooks/stripe/${stripe.id}`, body, stripeHeaders(body, STRIPE_SECRET))).status).toBe(200);
    await page.goto(`${h.url}/#/integrations/${stripe.id}`);
    const row = page.getByTestId('inbound-event').filter({ hasText: 'invoice.paid' });
    await row.getByTestId('status-badge').filter({ hasText: 'processed' }).waitFor();
    await row.getByRole('button', { name: 'View payload' }).press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Payload of invoice.paid' });
    const payload = dialog.getByTestId('payload');
    await payload.filter({ hasText: '"id": "in_ui_payload"' }).waitFor();
    expect(await payload.textContent()).toContain('"amount_paid": 1234');
    expect(await dialog.textContent()).not.toContain(STRIPE_SECRET);
    await browser.screenshot('inbound-payload');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('a refused signature shows its finding, whose first action opens the rotate form; failed events are replayed from theirs', async () => {
    const stripe = await out.install('stripe', {}, { webhookSecret: STRIPE_SECRET });
    const body = stripeInvoicePaid('evt_ui_forged', 'in_ui_forged', 100, 'eur');
    expect((await h.post(`/webhooks/stripe/${stripe.id}`, body, stripeHeaders(body, 'whsec_not_the_stored_one'))).status).toBe(401);
    // As the drain records an event it could not apply.
    const { workspace_id } = await h.db.selectFrom('integrations').select('workspace_id').where('id', '=', stripe.id).executeTakeFirstOrThrow();
    await h.db
      .insertInto('inbox')
      .values({ integration_id: stripe.id, workspace_id, provider: 'stripe', dedup_key: 'evt_ui_poison', event_type: 'invoice.paid', payload: '{}', status: 'failed', reason: 'unexpected data', processed_at: new Date() })
      .execute();
    await page.goto(`${h.url}/#/integrations/${stripe.id}`);
    const signatures = page.getByTestId('finding').filter({ hasText: 'signature_failures' });
    await signatures.getByTestId('first-action').getByRole('button', { name: 'Rotate the secret (in Secrets)' }).click();
    // One click: the rotate panel is open and its first field has the focus.
    await page.getByLabel('New signing secret, as Stripe issued it').waitFor();
    expect(await page.evaluate('document.activeElement?.id')).toBe('rotate-secret');
    await browser.screenshot('finding-rotate-opened');

    const failed = page.getByTestId('finding').filter({ hasText: 'failed_events' });
    await failed.getByTestId('first-action').getByRole('button', { name: 'Replay the failed events' }).click();
    // Said in the Diagnostics section: the reload the replay triggers takes the finding away.
    await page.getByRole('region', { name: 'Diagnostics' }).getByRole('status').filter({ hasText: '1 event queued again.' }).waitFor();
    await browser.screenshot('finding-replayed');
  });

  it('a revoked API key shows the stuck_in_error finding, whose first action opens the re-authorize form; a key Stripe accepts makes it active again', async () => {
    const stripe = await out.install('stripe', { mode: 'test' }, { webhookSecret: STRIPE_SECRET, apiKey: STRIPE_KEY });
    stripeApi.tokens.delete(STRIPE_KEY);
    await waitFor(async () => (await out.state(stripe.id)) === 'error', 'the integration in error (key refused by the stand-in Stripe)');
    await page.goto(`${h.url}/#/integrations/${stripe.id}`);
    const stuck = page.getByTestId('finding').filter({ hasText: 'stuck_in_error' });
    await stuck.getByText('expired or revoked credentials').waitFor();
    await stuck.getByTestId('first-action').getByRole('button', { name: 'Re-authorize (in Secrets)' }).click();
    // One click: the re-authorize panel is open and its first field has the focus.
    const panel = page.locator('#reauthorize-panel');
    expect(await panel.evaluate((element) => (element as unknown as { open: boolean }).open)).toBe(true);
    expect(await page.evaluate(`document.activeElement?.closest('#reauthorize-panel') ? document.activeElement.tagName : null`)).toBe('INPUT');
    await browser.screenshot('finding-reauthorize-opened');
    // The revoked key is refused by Stripe, and nothing changes…
    await panel.getByLabel('API key', { exact: true }).fill(STRIPE_KEY);
    await panel.getByRole('button', { name: 'Re-authorize' }).click();
    await panel.getByRole('alert').filter({ hasText: 'Stripe refused these credentials' }).waitFor();
    expect(await out.state(stripe.id)).toBe('error');
    // …a key it accepts is stored and makes the integration active: the finding is gone.
    stripeApi.tokens.add(STRIPE_NEW_KEY);
    await panel.getByLabel('API key', { exact: true }).fill(STRIPE_NEW_KEY);
    await panel.getByRole('button', { name: 'Re-authorize' }).click();
    await badge().filter({ hasText: 'active' }).waitFor();
    await stuck.waitFor({ state: 'detached' });
    const row = await h.db.selectFrom('integrations').select('secrets_sealed').where('id', '=', stripe.id).executeTakeFirstOrThrow();
    expect(h.box.open<Record<string, string>>(row.secrets_sealed!)).toMatchObject({ webhookSecret: STRIPE_SECRET, apiKey: STRIPE_NEW_KEY });
    await page.getByRole('cell', { name: 'reauthorize', exact: true }).waitFor();
    // The accepted key does not stay in the form.
    expect(await panel.getByLabel('API key', { exact: true }).inputValue()).toBe('');
    await browser.screenshot('finding-reauthorized');
  });

  it('a sale without a value shows the wrong_values finding, whose first action puts the focus in the settings editor', async () => {
    const secret = newWebhookSecret();
    const generic = await out.install('webhook', {}, { signingSecret: secret });
    expect((await sendGeneric(h, generic.id, secret, genericEvent({ amountMinor: 0 }))).status).toBe(200);
    await waitFor(async () => (await h.api('GET', `/v1/integrations/${generic.id}/diagnostics`, { key })).body.findings.some((found: { scenario: string }) => found.scenario === 'wrong_values'), 'the wrong_values finding');
    await page.goto(`${h.url}/#/integrations/${generic.id}`);
    const wrong = page.getByTestId('finding').filter({ hasText: 'wrong_values' });
    await wrong.getByTestId('first-action').getByRole('button', { name: 'Edit the settings' }).click();
    expect(await page.evaluate(`document.activeElement?.closest('#settings-editor') ? document.activeElement.tagName : null`)).toBe('INPUT');
  });

  it('names every control on every page for assistive technology (Chromium’s accessibility tree), and Tab reaches each', async () => {
    const stripe = await out.install('stripe', {}, { webhookSecret: STRIPE_SECRET });
    const unnamed: string[] = [];
    const unreached: string[] = [];
    const controls: Record<string, number> = {};
    for (const route of ['#/catalog', '#/providers/stripe', '#/providers/webhook', '#/integrations', `#/integrations/${stripe.id}`, '#/conversions']) {
      await page.goto(`${h.url}/${route}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.getByRole('status').filter({ hasText: /^Loading/ }).first().waitFor({ state: 'detached' });
      // Closed panels' fields are not in the tree: open them first.
      await page.locator('details:not([open]) > summary').evaluateAll((summaries) => summaries.forEach((summary) => (summary as unknown as { click(): void }).click()));
      const found = await controlNames(page);
      controls[route] = found.controls;
      unnamed.push(...found.unnamed.map((control) => `${route}: ${control}`));
      unreached.push(...(await unreachedByTab(page)).map((control) => `${route}: ${control}`));
    }
    expect(unnamed).toEqual([]);
    expect(unreached).toEqual([]);
    // Not vacuous: every page has its nav links and sign-out button, the forms their fields; a button without a name is caught.
    for (const count of Object.values(controls)) expect(count).toBeGreaterThan(4);
    await page.evaluate(`document.querySelector('main').append(document.createElement('button'))`);
    expect((await controlNames(page)).unnamed).toHaveLength(1);
  });

  it('"Add to Slack" goes through Slack and lands on the new integration page', async () => {
    // The stand-in plays Slack's consent screen: the browser is sent back to the callback with a code.
    await page.route('https://slack.com/oauth/v2/authorize**', (route) => {
      const authorize = new URL(route.request().url());
      const back = new URL(authorize.searchParams.get('redirect_uri')!);
      back.search = new URLSearchParams({ code: newSlackCode(), state: authorize.searchParams.get('state')! }).toString();
      return route.fulfill({ status: 302, headers: { location: back.toString() } });
    });
    await page.goto(`${h.url}/#/providers/slack`);
    await page.getByRole('button', { name: 'Add to Slack' }).click();
    await page.waitForURL(/\/#\/integrations\/int_\w+$/);
    await page.getByRole('heading', { name: /Slack/, level: 1 }).waitFor();
    await badge().filter({ hasText: 'active' }).waitFor();
    // Slack has a bot token and no signing secret: nothing to rotate is offered.
    await page.getByRole('heading', { name: 'Secrets' }).waitFor();
    await page.getByRole('term').filter({ hasText: /^Bot token$/ }).waitFor();
    expect(await page.getByText(/^Rotate/).count()).toBe(0);
    // Slack's team is read-only: its title and value as text, no field to type in; saving the settings keeps it.
    const editor = page.locator('#settings-editor');
    await editor.getByText('T0ACME', { exact: true }).waitFor();
    await editor.getByText('Acme', { exact: true }).waitFor();
    await editor.getByText('Team id', { exact: true }).waitFor();
    expect(await editor.getByLabel(/^Team (id|name)/).count()).toBe(0);
    const values = await editor.locator('input, select, textarea').evaluateAll((fields) => fields.map((field) => (field as unknown as { value: string }).value));
    expect(values).toContain('C0PICKED');
    expect(values.filter((value) => value === 'T0ACME' || value === 'Acme')).toEqual([]);
    const channel = editor.getByLabel('Default channel', { exact: true });
    await channel.fill('C0RENAMED');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('cell', { name: 'settings changed: channel', exact: true }).waitFor();
    // The form shows what was saved, not the settings from before the save.
    expect(await channel.inputValue()).toBe('C0RENAMED');
    const id = /int_\w+$/.exec(page.url())![0];
    expect((await h.api('GET', `/v1/integrations/${id}`, { key })).body.settings).toMatchObject({ teamId: 'T0ACME', teamName: 'Acme', channel: 'C0RENAMED' });
    await browser.screenshot('slack-installed');
  });
});
