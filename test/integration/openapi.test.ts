import { compileErrors, validate } from '@readme/openapi-parser';
import { ErrorBody } from '../../api/openapi/components';
import { Integration, Transition, WorkspaceEvent } from '../../api/openapi/resources';
import { type Harness, startHarness } from '../support/harness';
import { appRoutes, routeKey } from '../support/hostile';

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

  it('types the main resources as the API answers them', async () => {
    const installed = await h.api('POST', '/v1/integrations', { key, body: { provider: 'webhook', settings: {}, secrets: {} } });
    expect(installed.status).toBe(201);
    const { issuedSecret, ...integration } = installed.body;
    expect(issuedSecret).toEqual({ field: expect.any(String), secret: expect.any(String) });
    Integration.parse(integration);
    const fetched = await h.api('GET', `/v1/integrations/${integration.id}`, { key });
    expect(Integration.parse(fetched.body).health).toBeDefined();
    for (const listed of (await h.api('GET', '/v1/integrations', { key })).body.data) Integration.parse(listed);
    const transitions = (await h.api('GET', `/v1/integrations/${integration.id}/transitions`, { key })).body.data;
    expect(transitions.length).toBeGreaterThan(0);
    for (const transition of transitions) Transition.parse(transition);
    const posted = await h.api('POST', '/v1/events', { key, body: { type: 'customer.created', data: { customer: { externalId: 'user_contract' } } } });
    expect(posted.status).toBe(201);
    expect(WorkspaceEvent.parse((await h.api('GET', `/v1/events/${posted.body.id}`, { key })).body).type).toBe('customer.created');
    expect(document.paths['/integrations/{id}'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Integration' });
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
