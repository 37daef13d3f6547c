import { compileErrors, validate } from '@readme/openapi-parser';
import { ErrorBody } from '../../api/openapi/components';
import { Integration, Provider, RotateResult, Transition, WorkspaceEvent, WorkspaceEventEnvelope } from '../../api/openapi/resources';
import { Conversion, ConversionAnalytics, Customer, WebhookEvent, WebhookEventDetail } from '../../api/openapi/records';
import { Delivery, DeliveryDetail, DeliveryHealth, Diagnostics, TestReport } from '../../api/openapi/checks';
import { type Harness, startHarness } from '../support/harness';
import { appRoutes, routeKey } from '../support/hostile';
import { outboundHelpers, saleEvent } from '../support/outbound';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

/** `METHOD /path` of every operation in the document, with Express's `:param` for `{param}`. */
function documentedRoutes(document: any): string[] {
  return Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => METHODS.includes(key))
      .map((method) => `${method.toUpperCase()} /v1${path.replace(/\{(\w+)\}/g, ':$1')}`),
  );
}

describe('the API contract: /v1/openapi.json and /docs', () => {
  let h: Harness;
  let key: string;
  let document: any;

  beforeAll(async () => {
    h = await startHarness();
    ({ key } = await h.newWorkspace());
    const answered = await h.api('GET', '/v1/openapi.json');
    expect(answered.status).toBe(200);
    document = answered.body;
  });
  afterAll(() => h.stop());

  it('is served without an API key and is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document));
    if (!result.valid) throw new Error(compileErrors(result));
    expect(result.valid).toBe(true);
  });

  it('describes every route the app serves under /v1 with its method and path, and no other', () => {
    const served = appRoutes(h.app).map(routeKey).filter((route) => route.split(' ')[1]!.startsWith('/v1/'));
    expect(served.length).toBeGreaterThan(30);
    expect(documentedRoutes(document).sort()).toEqual(served.sort());
  });

  it('declares the workspace API key for every operation but the document itself and workspace creation', () => {
    expect(document.components.securitySchemes.workspaceApiKey).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(document.security).toEqual([{ workspaceApiKey: [] }]);
    expect(document.paths['/openapi.json'].get.security).toEqual([]);
    expect(document.paths['/workspaces'].post.security).toEqual([{ adminToken: [] }]);
  });

  it('takes request schemas from the routes: a documented constraint is the one the route enforces', async () => {
    const limit = document.paths['/conversions'].get.parameters.find((parameter: any) => parameter.name === 'limit');
    expect(limit).toEqual(expect.objectContaining({ in: 'query', schema: expect.objectContaining({ type: 'integer', maximum: 200 }) }));
    const tooMany = await h.api('GET', `/v1/conversions?limit=${limit.schema.maximum + 1}`, { key });
    expect(tooMany.status).toBe(400);
    // The error the API answers has the documented shape, naming the field.
    expect(ErrorBody.parse(tooMany.body).error.issues?.map((issue) => issue.path)).toEqual(['query.limit']);
    expect(document.paths['/conversions'].get.responses['400'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
  });

  it('documents the body reader’s 413 and 415 on every operation that takes a body, as the API answers them', async () => {
    const operations = Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation })),
    );
    const withBody = operations.filter(({ operation }) => operation.requestBody);
    expect(withBody.map(({ route }) => route)).toEqual(expect.arrayContaining(['POST /events', 'POST /integrations', 'PATCH /integrations/{id}', 'POST /integrations/{id}/pause']));
    for (const { route, operation } of operations) {
      const declared = ['413', '415'].map((status) => [route, status, operation.responses[status]?.content['application/json'].schema ?? null]);
      expect(declared).toEqual(['413', '415'].map((status) => [route, status, operation.requestBody ? { $ref: '#/components/schemas/Error' } : null]));
    }
    // Served ahead of Express (POST /v1/events) and by the /v1 stack (POST /v1/integrations): the same answers.
    for (const path of ['/v1/events', '/v1/integrations']) {
      const send = (body: string, headers: Record<string, string>) => h.post(path, body, { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers });
      const tooLarge = await send(JSON.stringify({ pad: 'x'.repeat(h.config.bodyLimitBytes) }), {});
      const encoded = await send('{}', { 'content-encoding': 'x-unknown' });
      const charset = await send('{}', { 'content-type': 'application/json; charset=x-unknown' });
      const answered = [tooLarge, encoded, charset].map((answer) => [path, answer.status, ErrorBody.parse(answer.body).error.code]);
      expect(answered).toEqual([
        [path, 413, 'payload_too_large'],
        [path, 415, 'unsupported_encoding'],
        [path, 415, 'unsupported_encoding'],
      ]);
    }
  });

  it('types the main resources as the API answers them', async () => {
    const installed = await h.api('POST', '/v1/integrations', { key, body: { provider: 'webhook', settings: {}, secrets: {} } });
    expect(installed.status).toBe(201);
    const { issuedSecret, ...integration } = installed.body;
    expect(issuedSecret).toEqual({ field: expect.any(String), secret: expect.any(String) });
    Integration.parse(integration);
    const fetched = await h.api('GET', `/v1/integrations/${integration.id}`, { key });
    expect(Integration.parse(fetched.body).health).toBeDefined();
    for (const listed of (await h.api('GET', '/v1/integrations', { key })).body.data) expect(Integration.parse(listed).overview?.healthStatus).toBe('healthy');
    const transitions = (await h.api('GET', `/v1/integrations/${integration.id}/transitions`, { key })).body.data;
    expect(transitions.length).toBeGreaterThan(0);
    for (const transition of transitions) Transition.parse(transition);
    // POST /v1/events answers the event as destinations receive it, new (201) or repeated under its key (200): GET /v1/events/{id} without where it came from.
    const posting = { key, body: { type: 'customer.created', data: { customer: { externalId: 'user_contract' } } }, headers: { 'idempotency-key': 'contract-customer' } };
    const posted = await h.api('POST', '/v1/events', posting);
    const repeated = await h.api('POST', '/v1/events', posting);
    expect([posted.status, repeated.status]).toEqual([201, 200]);
    const { integrationId, isTest, ...stored } = WorkspaceEvent.parse((await h.api('GET', `/v1/events/${posted.body.id}`, { key })).body);
    expect([stored.type, integrationId, isTest]).toEqual(['customer.created', null, false]);
    expect([WorkspaceEventEnvelope.parse(posted.body), WorkspaceEventEnvelope.parse(repeated.body)]).toEqual([stored, stored]);
    for (const status of ['201', '200']) expect(document.paths['/events'].post.responses[status].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/WorkspaceEventEnvelope' });
    expect(document.paths['/integrations/{id}'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Integration' });
  });

  it('types every resource the admin UI reads as the API answers it', async () => {
    const get = async (path: string) => {
      const answered = await h.api('GET', path, { key });
      expect([path, answered.status]).toEqual([path, 200]);
      return answered.body;
    };
    const providers = (await get('/v1/providers')).data;
    expect(providers.length).toBeGreaterThan(5);
    for (const provider of providers) Provider.parse(provider);
    const stripe = Provider.parse(await get('/v1/providers/stripe'));
    expect(stripe.id).toBe('stripe');
    // What the provider detail page shows: each event type and what it records, titled fields, the secret that rotates.
    expect(stripe.inboundEvents).toContainEqual(expect.objectContaining({ type: 'invoice.paid', records: ['sale', 'sale alias'] }));
    expect(stripe.inboundEventTypes).toEqual(stripe.inboundEvents.map((event) => event.type));
    expect(stripe.secretsSchema.properties).toMatchObject({ webhookSecret: { title: 'Signing secret', description: expect.any(String) } });
    expect(stripe.secretRotation).toEqual({ field: 'webhookSecret', issuedBy: 'provider' });
    const byId = Object.fromEntries(providers.map((provider: { id: string }) => [provider.id, Provider.parse(provider)]));
    expect(byId.slack!.secretRotation).toBeNull();
    // How each installs is the catalog's to say (the UI never branches on a provider's name), and the start path is served.
    expect(byId.slack!.install).toEqual({ method: 'oauth', start: '/v1/integrations/slack/install' });
    expect(stripe.install).toEqual({ method: 'form' });
    expect(providers.filter((provider: any) => provider.install.method === 'oauth').map((provider: any) => provider.id)).toEqual(['slack']);
    expect(byId.webhook!.secretRotation).toEqual({ field: 'signingSecret', issuedBy: 'linquid' });
    expect(document.components.schemas.Provider.properties.secretRotation).toBeDefined();

    // An inbound integration's test run leaves test conversions, customers and inbound events behind.
    const inbound = (await h.api('POST', '/v1/integrations', { key, body: { provider: 'webhook', settings: {}, secrets: {} } })).body;
    const report = await h.api('POST', `/v1/integrations/${inbound.id}/test`, { key });
    expect(TestReport.parse(report.body).steps.length).toBeGreaterThan(0);
    expect(Diagnostics.parse(await get(`/v1/integrations/${inbound.id}/diagnostics`)).integrationId).toBe(inbound.id);
    const events = (await get(`/v1/integrations/${inbound.id}/webhook-events`)).data;
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) WebhookEvent.parse(event);
    expect(WebhookEventDetail.parse(await get(`/v1/integrations/${inbound.id}/webhook-events/${events[0].id}`)).payload).toEqual(expect.any(Object));
    const conversions = (await get('/v1/conversions?includeTest=true')).data;
    expect(conversions.length).toBeGreaterThan(0);
    for (const conversion of conversions) Conversion.parse(conversion);
    Conversion.parse(await get(`/v1/conversions/${conversions[0].id}`));
    const customers = (await get('/v1/customers?includeTest=true')).data;
    expect(customers.length).toBeGreaterThan(0);
    for (const customer of customers) Customer.parse(customer);
    Customer.parse(await get(`/v1/customers/${customers[0].id}`));
    expect(RotateResult.parse((await h.api('POST', `/v1/integrations/${inbound.id}/secrets/rotate`, { key, body: { gracePeriodSeconds: 60 } })).body).secret).toEqual(expect.any(String));

    // A destination's deliveries, one delivered sale, its detail and its redelivery.
    const out = outboundHelpers(h, () => key);
    const receiver = await out.receiver();
    try {
      const destination = await out.installWebhook(receiver.url, receiver.secret);
      const sale = await out.emit(saleEvent());
      const delivered = await out.deliveryOf(destination.id, sale.id, (delivery) => delivery.status === 'succeeded');
      const page = await get(`/v1/integrations/${destination.id}/deliveries`);
      for (const delivery of page.data) Delivery.parse(delivery);
      DeliveryHealth.parse(page.health);
      expect(DeliveryDetail.parse(await get(`/v1/deliveries/${delivered.id}`)).attempts.length).toBeGreaterThan(0);
      const redelivered = await h.api('POST', `/v1/deliveries/${delivered.id}/redeliver`, { key });
      expect(redelivered.status).toBe(202);
      Delivery.parse(redelivered.body);
      const analytics = ConversionAnalytics.parse(await get('/v1/analytics/conversions?interval=day'));
      expect(analytics.buckets.length).toBeGreaterThan(0);
    } finally {
      await receiver.close();
    }
  });

  it('serves Swagger UI at /docs from its own files, under a policy that allows no inline script', async () => {
    const page = await fetch(`${h.url}/docs`);
    expect(page.status).toBe(200);
    const policy = page.headers.get('content-security-policy')!;
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    const html = await page.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map(([, attributes]) => /src="([^"]+)"/.exec(attributes!)?.[1])).toEqual(['/docs/swagger-ui-bundle.js', '/docs/init.js']);
    expect(scripts.every(([, , body]) => body === '')).toBe(true);

    for (const [asset, type] of [['/docs/swagger-ui-bundle.js', 'javascript'], ['/docs/swagger-ui.css', 'text/css'], ['/docs/init.js', 'javascript']] as const) {
      const answered = await fetch(`${h.url}${asset}`);
      expect([asset, answered.status]).toEqual([asset, 200]);
      expect(answered.headers.get('content-type')).toContain(type);
    }
    expect(await (await fetch(`${h.url}/docs/init.js`)).text()).toContain("url: '/v1/openapi.json'");
  });
});
