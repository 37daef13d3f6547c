import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { InstallQuery as SlackInstallQuery } from '../routes/slack-install';
import { Subscribe as ZapierSubscribe } from '../routes/zapier-hooks';
import { Query as AnalyticsQuery } from '../routes/analytics';
import { Query as ConversionsQuery } from '../routes/conversions';
import { Query as CustomersQuery } from '../routes/customers';
import { ListQuery as DeliveriesQuery } from '../routes/deliveries';
import { postedEventSchema as PostedEvent } from '../../contract/workspace-event-payloads';
import { IdempotencyKey } from '../routes/events';
import { Install, ListQuery as IntegrationsQuery, PatchSettings, Reason, Reauthorize, SIMPLE_ACTIONS } from '../routes/integrations';
import { Rotate } from '../routes/secrets';
import { Query as TransitionsQuery } from '../routes/transitions';
import { Replay, Query as WebhookEventsQuery } from '../routes/webhook-events';
import { Query as EventsQuery } from '../routes/workspace-events';
import { CreateWorkspace } from '../routes/workspaces';
import { errorResponses, jsonResponse, pageOf, securitySchemes } from './components';
import { Integration, Provider, RotateResult, Transition, WorkspaceEvent } from './resources';
import { Conversion, ConversionAnalytics, Customer, WebhookEvent } from './records';
import { Delivery, DeliveryDetail, DeliveryHealth, Diagnostics, TestReport } from './checks';

/**
 * The OpenAPI 3.1 document of `/v1`, generated from the zod schemas the routes validate with (their
 * input side: what a caller sends) and the response schemas of every resource (./resources, ./records, ./checks).
 */

const TAGS = [
  { name: 'Providers', description: 'The catalog: what each provider records and delivers, its settings and secrets as JSON Schema.' },
  { name: 'Integrations', description: 'A workspace’s installed integrations: install, read, change settings.' },
  { name: 'Lifecycle', description: 'State changes allowed by the transition table (`pending → active ⇄ paused`, `error`, `disconnected`), their audit trail.' },
  { name: 'Secrets', description: 'Signing secret rotation with a grace period.' },
  { name: 'Checks', description: 'The testing checklist and diagnostics findings.' },
  { name: 'Inbound', description: 'The inbound webhook log and its replay.' },
  { name: 'Deliveries', description: 'Workspace events sent to destinations: their attempts and redelivery.' },
  { name: 'Records', description: 'What inbound events became: conversions, customers, workspace events.' },
  { name: 'Analytics', description: 'Conversions and revenue over time.' },
  { name: 'Slack', description: 'Slack’s OAuth install.' },
  { name: 'Zapier', description: 'Zapier REST hooks.' },
  { name: 'Workspaces', description: 'Creating workspaces (admin token).' },
  { name: 'Meta', description: 'This document.' },
];

const idPath = (what: string) => z.object({ id: z.string().meta({ description: `The ${what} id.` }) });
const integrationPath = idPath('integration (`int_…`)');

const lifecycleActions: ZodOpenApiPathsObject = Object.fromEntries(
  SIMPLE_ACTIONS.map((action) => [
    `/integrations/{id}/${action}`,
    {
      post: {
        tags: ['Lifecycle'],
        operationId: `${action}Integration`,
        summary: `${action[0]!.toUpperCase()}${action.slice(1)} an integration`,
        description: 'Waits for the integration’s workflow to apply the transition; an action the current state does not allow is a 409 with the reason.',
        requestParams: { path: integrationPath },
        requestBody: { required: false, content: { 'application/json': { schema: Reason } } },
        responses: { '200': jsonResponse('The integration in its new state.', Integration), ...errorResponses(400, 401, 404, 409, 422) },
      } satisfies ZodOpenApiOperationObject,
    },
  ]),
);

const paths: ZodOpenApiPathsObject = {
  '/openapi.json': {
    get: {
      tags: ['Meta'],
      operationId: 'getOpenApiDocument',
      summary: 'This OpenAPI document',
      security: [],
      responses: { '200': jsonResponse('The OpenAPI 3.1 document of `/v1`.') },
    },
  },
  '/workspaces': {
    post: {
      tags: ['Workspaces'],
      operationId: 'createWorkspace',
      summary: 'Create a workspace',
      description: 'Answers the workspace and its first API key, shown once.',
      security: [{ adminToken: [] }],
      requestBody: { content: { 'application/json': { schema: CreateWorkspace } } },
      responses: { '201': jsonResponse('The workspace and its API key.'), ...errorResponses(400, 401) },
    },
  },
  '/providers': {
    get: { tags: ['Providers'], operationId: 'listProviders', summary: 'List the provider catalog', responses: { '200': jsonResponse('Every provider.', z.object({ data: z.array(Provider) })), ...errorResponses(401) } },
  },
  '/providers/{providerId}': {
    get: {
      tags: ['Providers'],
      operationId: 'getProvider',
      summary: 'Get a provider',
      requestParams: { path: z.object({ providerId: z.string().meta({ description: 'A provider id such as `stripe`.' }) }) },
      responses: { '200': jsonResponse('The provider’s catalog entry, settings and secrets as JSON Schema.', Provider), ...errorResponses(401, 404) },
    },
  },
  '/integrations': {
    get: {
      tags: ['Integrations'],
      operationId: 'listIntegrations',
      summary: 'List installed integrations',
      requestParams: { query: IntegrationsQuery },
      responses: { '200': jsonResponse('The workspace’s integrations, newest first.', z.object({ data: z.array(Integration) })), ...errorResponses(400, 401) },
    },
    post: {
      tags: ['Integrations'],
      operationId: 'installIntegration',
      summary: 'Install an integration',
      description: 'Settings and secrets are validated against the provider’s schemas (`issues[].path` is `settings.…` / `secrets.…`). A secret Linquid issues is answered once as `issuedSecret`.',
      requestBody: { content: { 'application/json': { schema: Install } } },
      responses: { '201': jsonResponse('The new integration; a secret Linquid issued, once.', Integration.extend({ issuedSecret: z.object({ field: z.string(), secret: z.string() }).optional() })), ...errorResponses(400, 401, 422, 502) },
    },
  },
  '/integrations/slack/install': {
    get: {
      tags: ['Slack'],
      operationId: 'startSlackInstall',
      summary: 'Start the “Add to Slack” flow',
      description: 'Redirects to Slack’s consent screen; Slack then sends the browser to `/oauth/slack/callback`, which installs the integration.',
      requestParams: { query: SlackInstallQuery },
      responses: {
        '302': { description: 'Redirect to Slack’s consent screen.' },
        '200': jsonResponse('With `format=json`: the consent screen’s URL, for a page that navigates itself.', z.strictObject({ authorizeUrl: z.string() })),
        ...errorResponses(400, 401),
      },
    },
  },
  '/integrations/{id}': {
    get: {
      tags: ['Integrations'],
      operationId: 'getIntegration',
      summary: 'Get an integration with its health',
      requestParams: { path: integrationPath },
      responses: { '200': jsonResponse('The integration, secrets masked, with its health.', Integration), ...errorResponses(401, 404) },
    },
    patch: {
      tags: ['Integrations'],
      operationId: 'updateIntegrationSettings',
      summary: 'Change settings',
      description: 'Merged into the stored settings and validated as a whole; refused fields are named as `settings.<field>`.',
      requestParams: { path: integrationPath },
      requestBody: { content: { 'application/json': { schema: PatchSettings } } },
      responses: { '200': jsonResponse('The integration with its new settings.', Integration), ...errorResponses(400, 401, 404, 409, 422, 502) },
    },
  },
  ...lifecycleActions,
  '/integrations/{id}/reauthorize': {
    post: {
      tags: ['Lifecycle'],
      operationId: 'reauthorizeIntegration',
      summary: 'Replace credentials',
      requestParams: { path: integrationPath },
      requestBody: { content: { 'application/json': { schema: Reauthorize } } },
      responses: { '200': jsonResponse('The re-authorized integration.', Integration), ...errorResponses(400, 401, 404, 409, 422, 502) },
    },
  },
  '/integrations/{id}/transitions': {
    get: {
      tags: ['Lifecycle'],
      operationId: 'listIntegrationTransitions',
      summary: 'The audit trail',
      requestParams: { path: integrationPath, query: TransitionsQuery },
      responses: { '200': jsonResponse('Transitions, newest first.', pageOf(Transition)), ...errorResponses(400, 401, 404) },
    },
  },
  '/integrations/{id}/secrets/rotate': {
    post: {
      tags: ['Secrets'],
      operationId: 'rotateIntegrationSecret',
      summary: 'Rotate the signing secret',
      description: 'The previous secret keeps verifying for `gracePeriodSeconds`. A secret Linquid generates is answered once as `secret`.',
      requestParams: { path: integrationPath },
      requestBody: { required: false, content: { 'application/json': { schema: Rotate } } },
      responses: { '200': jsonResponse('The rotated field and when the previous secret stops verifying.', RotateResult), ...errorResponses(400, 401, 404, 409) },
    },
  },
  '/integrations/{id}/test': {
    post: {
      tags: ['Checks'],
      operationId: 'testIntegration',
      summary: 'Run the testing checklist',
      description: 'Sends the provider’s sample events end to end as test data and reports each step.',
      requestParams: { path: integrationPath },
      responses: { '200': jsonResponse('The checklist: `passed` and each step.', TestReport), ...errorResponses(401, 404) },
    },
  },
  '/integrations/{id}/diagnostics': {
    get: {
      tags: ['Checks'],
      operationId: 'diagnoseIntegration',
      summary: 'Diagnostics findings',
      requestParams: { path: integrationPath },
      responses: { '200': jsonResponse('Known failure scenarios found in the data, each with likely cause and first action.', Diagnostics), ...errorResponses(401, 404) },
    },
  },
  '/integrations/{id}/webhook-events': {
    get: {
      tags: ['Inbound'],
      operationId: 'listWebhookEvents',
      summary: 'The inbound event log',
      requestParams: { path: integrationPath, query: WebhookEventsQuery },
      responses: { '200': jsonResponse('Inbound events, newest first, test ones flagged `isTest`.', pageOf(WebhookEvent)), ...errorResponses(400, 401, 404) },
    },
  },
  '/integrations/{id}/webhook-events/replay': {
    post: {
      tags: ['Inbound'],
      operationId: 'replayWebhookEvents',
      summary: 'Replay inbound events',
      requestParams: { path: integrationPath },
      requestBody: { required: false, content: { 'application/json': { schema: Replay } } },
      responses: { '200': jsonResponse('How many rows were queued again, whether more remain, and each row’s outcome.'), ...errorResponses(400, 401, 404, 409) },
    },
  },
  '/integrations/{id}/deliveries': {
    get: {
      tags: ['Deliveries'],
      operationId: 'listIntegrationDeliveries',
      summary: 'A destination’s deliveries',
      requestParams: { path: integrationPath, query: DeliveriesQuery },
      responses: { '200': jsonResponse('Deliveries, newest first, with the destination’s health.', pageOf(Delivery, { health: DeliveryHealth })), ...errorResponses(400, 401, 404) },
    },
  },
  '/deliveries/{id}': {
    get: {
      tags: ['Deliveries'],
      operationId: 'getDelivery',
      summary: 'A delivery with every attempt',
      requestParams: { path: idPath('delivery') },
      responses: { '200': jsonResponse('The delivery, its event and its attempts.', DeliveryDetail), ...errorResponses(401, 404) },
    },
  },
  '/deliveries/{id}/redeliver': {
    post: {
      tags: ['Deliveries'],
      operationId: 'redeliver',
      summary: 'Redeliver',
      description: 'A new round of the same delivery (same `webhook-id`), to an active destination.',
      requestParams: { path: idPath('delivery') },
      responses: { '202': jsonResponse('The delivery, pending again.', Delivery), ...errorResponses(401, 404, 409) },
    },
  },
  '/conversions': {
    get: { tags: ['Records'], operationId: 'listConversions', summary: 'List conversions', requestParams: { query: ConversionsQuery }, responses: { '200': jsonResponse('Conversions, newest first.', pageOf(Conversion)), ...errorResponses(400, 401) } },
  },
  '/conversions/{id}': {
    get: { tags: ['Records'], operationId: 'getConversion', summary: 'Get a conversion', requestParams: { path: idPath('conversion') }, responses: { '200': jsonResponse('The conversion.', Conversion), ...errorResponses(401, 404) } },
  },
  '/customers': {
    get: { tags: ['Records'], operationId: 'listCustomers', summary: 'List customers', requestParams: { query: CustomersQuery }, responses: { '200': jsonResponse('Customers, newest first.', pageOf(Customer)), ...errorResponses(400, 401) } },
  },
  '/customers/{id}': {
    get: { tags: ['Records'], operationId: 'getCustomer', summary: 'Get a customer', requestParams: { path: idPath('customer') }, responses: { '200': jsonResponse('The customer.', Customer), ...errorResponses(401, 404) } },
  },
  '/events': {
    get: { tags: ['Records'], operationId: 'listEvents', summary: 'List workspace events', requestParams: { query: EventsQuery }, responses: { '200': jsonResponse('Workspace events, newest first.', pageOf(WorkspaceEvent)), ...errorResponses(400, 401) } },
    post: {
      tags: ['Records'],
      operationId: 'postEvent',
      summary: 'Announce a workspace event',
      description: 'Forwarded to the subscribed destinations. With an `Idempotency-Key`, a repeat answers the first event (200).',
      requestParams: { header: z.object({ 'idempotency-key': IdempotencyKey }) },
      requestBody: { content: { 'application/json': { schema: PostedEvent } } },
      responses: { '201': jsonResponse('The new event.'), '200': jsonResponse('The event first sent with this Idempotency-Key.'), ...errorResponses(400, 401, 422) },
    },
  },
  '/events/{id}': {
    get: { tags: ['Records'], operationId: 'getEvent', summary: 'Get a workspace event', requestParams: { path: idPath('event') }, responses: { '200': jsonResponse('The event.', WorkspaceEvent), ...errorResponses(401, 404) } },
  },
  '/analytics/conversions': {
    get: {
      tags: ['Analytics'],
      operationId: 'conversionAnalytics',
      summary: 'Conversions and revenue over time',
      description: 'Counts per type and revenue per currency in UTC buckets; test rows and sales still waiting for their amount never count.',
      requestParams: { query: AnalyticsQuery },
      responses: { '200': jsonResponse('The buckets.', ConversionAnalytics), ...errorResponses(400, 401) },
    },
  },
  '/hooks': {
    post: {
      tags: ['Zapier'],
      operationId: 'subscribeZapierHook',
      summary: 'Subscribe a REST hook',
      requestBody: { content: { 'application/json': { schema: ZapierSubscribe } } },
      responses: { '201': jsonResponse('The hook (an integration of its own).'), ...errorResponses(400, 401) },
    },
  },
  '/hooks/{id}': {
    delete: {
      tags: ['Zapier'],
      operationId: 'unsubscribeZapierHook',
      summary: 'Unsubscribe a REST hook',
      requestParams: { path: idPath('hook') },
      responses: { '204': { description: 'Unsubscribed: the hook’s integration is disconnected.' }, ...errorResponses(401, 404) },
    },
  },
};

let built: ReturnType<typeof createDocument> | undefined;

/** Built once per process: the schemas do not change while it runs. */
export function openApiDocument(): ReturnType<typeof createDocument> {
  built ??= createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Linquid Integrations API',
      version: '1',
      description: 'Workspace integrations: the provider catalog, installed integrations and their lifecycle, inbound webhooks, deliveries, conversions and analytics. Errors share one shape (`Error`); a refused field is named in `error.issues[].path`.',
    },
    servers: [{ url: '/v1' }],
    tags: TAGS,
    security: [{ workspaceApiKey: [] }],
    components: { securitySchemes },
    paths,
  });
  return built;
}
