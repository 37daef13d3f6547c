import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathItemObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
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
import { EventPath as WebhookEventPath, Replay, Query as WebhookEventsQuery } from '../routes/webhook-events';
import { Query as EventsQuery } from '../routes/workspace-events';
import { CreateWorkspace } from '../routes/workspaces';
import { type ErrorStatus, errorResponses, jsonResponse, pageOf, securitySchemes } from './components';
import { Integration, Provider, RotateResult, Transition, WorkspaceEvent, WorkspaceEventEnvelope } from './resources';
import { Conversion, ConversionAnalytics, Customer, WebhookEvent, WebhookEventDetail } from './records';
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

/** What differs between operations; `operation` writes the shape every one shares. */
interface OperationSpec extends Pick<ZodOpenApiOperationObject, 'summary' | 'description' | 'security' | 'requestParams'> {
  tag: string;
  id: string;
  /** The JSON request body, required unless `optionalBody`. */
  body?: z.ZodType;
  optionalBody?: boolean;
  /** The success responses. */
  answers: ZodOpenApiResponsesObject;
  /** The error statuses it can answer (503 is added, and with a body 413 and 415); none for the document itself. */
  errors?: ErrorStatus[];
}

/** What the body reader answers before any route sees a body (api/errors.ts `bodyParserError`). */
const BODY_ERRORS: ErrorStatus[] = [413, 415];

function operation({ tag, id, body, optionalBody, answers, errors, ...rest }: OperationSpec): ZodOpenApiOperationObject {
  return {
    tags: [tag],
    operationId: id,
    ...rest,
    ...(body ? { requestBody: { ...(optionalBody ? { required: false } : {}), content: { 'application/json': { schema: body } } } } : {}),
    responses: { ...answers, ...(errors ? errorResponses(...errors, ...(body ? BODY_ERRORS : [])) : {}) },
  };
}

/** A record read by its id (`GET /<things>/{id}`). */
const recordById = (id: string, summary: string, what: string, schema: z.ZodType): ZodOpenApiPathItemObject => ({
  get: operation({ tag: 'Records', id, summary, requestParams: { path: idPath(what) }, answers: { '200': jsonResponse(`The ${what}.`, schema) }, errors: [401, 404] }),
});

/** A listing of records, newest first (`GET /<things>`). */
const recordList = (id: string, summary: string, query: z.ZodObject, listed: string, schema: z.ZodType) =>
  operation({ tag: 'Records', id, summary, requestParams: { query }, answers: { '200': jsonResponse(`${listed}, newest first.`, pageOf(schema)) }, errors: [400, 401] });

/** One integration's rows, newest first (`GET /integrations/{id}/<things>`); `answer` describes the page. */
const integrationList = ({ query, answer, page, ...rest }: Pick<OperationSpec, 'tag' | 'id' | 'summary' | 'description'> & { query: z.ZodObject; answer: string; page: z.ZodType }) =>
  operation({ ...rest, requestParams: { path: integrationPath, query }, answers: { '200': jsonResponse(answer, page) }, errors: [400, 401, 404] });

const lifecycleActions: ZodOpenApiPathsObject = Object.fromEntries(
  SIMPLE_ACTIONS.map((action) => [
    `/integrations/{id}/${action}`,
    {
      post: operation({
        tag: 'Lifecycle',
        id: `${action}Integration`,
        summary: `${action[0]!.toUpperCase()}${action.slice(1)} an integration`,
        description: 'Waits for the integration’s workflow to apply the transition; an action the current state does not allow is a 409 with the reason.',
        requestParams: { path: integrationPath },
        body: Reason,
        optionalBody: true,
        answers: { '200': jsonResponse('The integration in its new state.', Integration) },
        errors: [400, 401, 404, 409, 422],
      }),
    },
  ]),
);

const paths: ZodOpenApiPathsObject = {
  '/openapi.json': {
    get: operation({ tag: 'Meta', id: 'getOpenApiDocument', summary: 'This OpenAPI document', security: [], answers: { '200': jsonResponse('The OpenAPI 3.1 document of `/v1`.') } }),
  },
  '/workspaces': {
    post: operation({
      tag: 'Workspaces',
      id: 'createWorkspace',
      summary: 'Create a workspace',
      description: 'Answers the workspace and its first API key, shown once.',
      security: [{ adminToken: [] }],
      body: CreateWorkspace,
      answers: { '201': jsonResponse('The workspace and its API key.') },
      errors: [400, 401],
    }),
  },
  '/providers': {
    get: operation({ tag: 'Providers', id: 'listProviders', summary: 'List the provider catalog', answers: { '200': jsonResponse('Every provider.', z.object({ data: z.array(Provider) })) }, errors: [401] }),
  },
  '/providers/{providerId}': {
    get: operation({
      tag: 'Providers',
      id: 'getProvider',
      summary: 'Get a provider',
      requestParams: { path: z.object({ providerId: z.string().meta({ description: 'A provider id such as `stripe`.' }) }) },
      answers: { '200': jsonResponse('The provider’s catalog entry, settings and secrets as JSON Schema.', Provider) },
      errors: [401, 404],
    }),
  },
  '/integrations': {
    get: operation({
      tag: 'Integrations',
      id: 'listIntegrations',
      summary: 'List installed integrations',
      requestParams: { query: IntegrationsQuery },
      answers: { '200': jsonResponse('The workspace’s integrations, newest first.', z.object({ data: z.array(Integration) })) },
      errors: [400, 401],
    }),
    post: operation({
      tag: 'Integrations',
      id: 'installIntegration',
      summary: 'Install an integration',
      description: 'Settings and secrets are validated against the provider’s schemas (`issues[].path` is `settings.…` / `secrets.…`); settings marked `readOnly` are set by the provider’s own install flow and refused here. A secret Linquid issues is answered once as `issuedSecret`.',
      body: Install,
      answers: { '201': jsonResponse('The new integration; a secret Linquid issued, once.', Integration.extend({ issuedSecret: z.object({ field: z.string(), secret: z.string() }).optional() })) },
      errors: [400, 401, 422, 502],
    }),
  },
  '/integrations/slack/install': {
    get: operation({
      tag: 'Slack',
      id: 'startSlackInstall',
      summary: 'Start the “Add to Slack” flow',
      description: 'Redirects to Slack’s consent screen; Slack then sends the browser to `/oauth/slack/callback`, which installs the integration.',
      requestParams: { query: SlackInstallQuery },
      answers: {
        '302': { description: 'Redirect to Slack’s consent screen.' },
        '200': jsonResponse('With `format=json`: the consent screen’s URL, for a page that navigates itself.', z.strictObject({ authorizeUrl: z.string() })),
      },
      errors: [400, 401],
    }),
  },
  '/integrations/{id}': {
    get: operation({
      tag: 'Integrations',
      id: 'getIntegration',
      summary: 'Get an integration with its health',
      requestParams: { path: integrationPath },
      answers: { '200': jsonResponse('The integration, secrets masked, with its health.', Integration) },
      errors: [401, 404],
    }),
    patch: operation({
      tag: 'Integrations',
      id: 'updateIntegrationSettings',
      summary: 'Change settings',
      description: 'Merged into the stored settings and validated as a whole; refused fields are named as `settings.<field>`. A setting marked `readOnly` in the provider’s schema (Slack’s team) may be sent only with its stored value.',
      requestParams: { path: integrationPath },
      body: PatchSettings,
      answers: { '200': jsonResponse('The integration with its new settings.', Integration) },
      errors: [400, 401, 404, 409, 422, 502],
    }),
  },
  ...lifecycleActions,
  '/integrations/{id}/reauthorize': {
    post: operation({
      tag: 'Lifecycle',
      id: 'reauthorizeIntegration',
      summary: 'Replace credentials',
      requestParams: { path: integrationPath },
      body: Reauthorize,
      answers: { '200': jsonResponse('The re-authorized integration.', Integration) },
      errors: [400, 401, 404, 409, 422, 502],
    }),
  },
  '/integrations/{id}/transitions': {
    get: integrationList({ tag: 'Lifecycle', id: 'listIntegrationTransitions', summary: 'The audit trail', query: TransitionsQuery, answer: 'Transitions, newest first.', page: pageOf(Transition) }),
  },
  '/integrations/{id}/secrets/rotate': {
    post: operation({
      tag: 'Secrets',
      id: 'rotateIntegrationSecret',
      summary: 'Rotate the signing secret',
      description: 'The previous secret keeps verifying for `gracePeriodSeconds`. A secret Linquid generates is answered once as `secret`.',
      requestParams: { path: integrationPath },
      body: Rotate,
      optionalBody: true,
      answers: { '200': jsonResponse('The rotated field and when the previous secret stops verifying.', RotateResult) },
      errors: [400, 401, 404, 409],
    }),
  },
  '/integrations/{id}/test': {
    post: operation({
      tag: 'Checks',
      id: 'testIntegration',
      summary: 'Run the testing checklist',
      description: 'Sends the provider’s sample events end to end as test data and reports each step.',
      requestParams: { path: integrationPath },
      answers: { '200': jsonResponse('The checklist: `passed` and each step.', TestReport) },
      errors: [401, 404],
    }),
  },
  '/integrations/{id}/diagnostics': {
    get: operation({
      tag: 'Checks',
      id: 'diagnoseIntegration',
      summary: 'Diagnostics findings',
      requestParams: { path: integrationPath },
      answers: { '200': jsonResponse('Known failure scenarios found in the data, each with likely cause and first action.', Diagnostics) },
      errors: [401, 404],
    }),
  },
  '/integrations/{id}/webhook-events': {
    get: integrationList({
      tag: 'Inbound',
      id: 'listWebhookEvents',
      summary: 'The inbound event log',
      description: 'Payloads are left out (they can be large): `GET …/webhook-events/{eventId}` answers one event with its payload.',
      query: WebhookEventsQuery,
      answer: 'Inbound events, newest first, test ones flagged `isTest`.',
      page: pageOf(WebhookEvent),
    }),
  },
  '/integrations/{id}/webhook-events/{eventId}': {
    get: operation({
      tag: 'Inbound',
      id: 'getWebhookEvent',
      summary: 'One inbound event with its payload',
      description: 'The body the provider sent, as stored, with its status, reason and what it became. Request headers (signatures) are never stored, so never shown.',
      requestParams: { path: WebhookEventPath.extend({ id: integrationPath.shape.id }) },
      answers: { '200': jsonResponse('The event and its payload.', WebhookEventDetail) },
      errors: [400, 401, 404],
    }),
  },
  '/integrations/{id}/webhook-events/replay': {
    post: operation({
      tag: 'Inbound',
      id: 'replayWebhookEvents',
      summary: 'Replay inbound events',
      requestParams: { path: integrationPath },
      body: Replay,
      optionalBody: true,
      answers: { '200': jsonResponse('How many rows were queued again, whether more remain, and each row’s outcome.') },
      errors: [400, 401, 404, 409],
    }),
  },
  '/integrations/{id}/deliveries': {
    get: integrationList({
      tag: 'Deliveries',
      id: 'listIntegrationDeliveries',
      summary: 'A destination’s deliveries',
      query: DeliveriesQuery,
      answer: 'Deliveries, newest first, with the destination’s health.',
      page: pageOf(Delivery, { health: DeliveryHealth }),
    }),
  },
  '/deliveries/{id}': {
    get: operation({
      tag: 'Deliveries',
      id: 'getDelivery',
      summary: 'A delivery with every attempt',
      requestParams: { path: idPath('delivery') },
      answers: { '200': jsonResponse('The delivery, its event and its attempts.', DeliveryDetail) },
      errors: [401, 404],
    }),
  },
  '/deliveries/{id}/redeliver': {
    post: operation({
      tag: 'Deliveries',
      id: 'redeliver',
      summary: 'Redeliver',
      description: 'A new round of the same delivery (same `webhook-id`), to an active destination.',
      requestParams: { path: idPath('delivery') },
      answers: { '202': jsonResponse('The delivery, pending again.', Delivery) },
      errors: [401, 404, 409],
    }),
  },
  '/conversions': { get: recordList('listConversions', 'List conversions', ConversionsQuery, 'Conversions', Conversion) },
  '/conversions/{id}': recordById('getConversion', 'Get a conversion', 'conversion', Conversion),
  '/customers': { get: recordList('listCustomers', 'List customers', CustomersQuery, 'Customers', Customer) },
  '/customers/{id}': recordById('getCustomer', 'Get a customer', 'customer', Customer),
  '/events': {
    get: recordList('listEvents', 'List workspace events', EventsQuery, 'Workspace events', WorkspaceEvent),
    post: operation({
      tag: 'Records',
      id: 'postEvent',
      summary: 'Announce a workspace event',
      description: 'Forwarded to the subscribed destinations. With an `Idempotency-Key`, a repeat answers the first event (200).',
      requestParams: { header: z.object({ 'idempotency-key': IdempotencyKey }) },
      body: PostedEvent,
      answers: {
        '201': jsonResponse('The new event, as destinations receive it.', WorkspaceEventEnvelope),
        '200': jsonResponse('The event first sent with this Idempotency-Key, as destinations receive it.', WorkspaceEventEnvelope),
      },
      errors: [400, 401, 422],
    }),
  },
  '/events/{id}': recordById('getEvent', 'Get a workspace event', 'event', WorkspaceEvent),
  '/analytics/conversions': {
    get: operation({
      tag: 'Analytics',
      id: 'conversionAnalytics',
      summary: 'Conversions and revenue over time',
      description: 'Counts per type and revenue per currency in UTC buckets; test rows and sales still waiting for their amount never count.',
      requestParams: { query: AnalyticsQuery },
      answers: { '200': jsonResponse('The buckets.', ConversionAnalytics) },
      errors: [400, 401],
    }),
  },
  '/hooks': {
    post: operation({ tag: 'Zapier', id: 'subscribeZapierHook', summary: 'Subscribe a REST hook', body: ZapierSubscribe, answers: { '201': jsonResponse('The hook (an integration of its own).') }, errors: [400, 401] }),
  },
  '/hooks/{id}': {
    delete: operation({
      tag: 'Zapier',
      id: 'unsubscribeZapierHook',
      summary: 'Unsubscribe a REST hook',
      requestParams: { path: idPath('hook') },
      answers: { '204': { description: 'Unsubscribed: the hook’s integration is disconnected.' } },
      errors: [401, 404],
    }),
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
