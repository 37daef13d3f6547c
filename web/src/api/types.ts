import type { components, paths } from './openapi';

/**
 * The API's shapes as the UI reads them, taken from the types generated from the OpenAPI document
 * (./openapi.d.ts, rebuilt by `npm run build`): a response schema that changes breaks the UI's type-check.
 */
type Schemas = components['schemas'];

/** The JSON body an operation answers with `status`. */
type Answer<Path extends keyof paths, Method extends keyof paths[Path], Status extends number = 200> = paths[Path][Method] extends {
  responses: { [S in Status]: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

export type ApiErrorBody = Schemas['Error'];
export type FieldIssue = NonNullable<ApiErrorBody['error']['issues']>[number];
export type JsonSchema = Schemas['Provider']['settingsSchema'];

export type Provider = Schemas['Provider'];
export type Integration = Schemas['Integration'];
export type IntegrationState = Integration['state'];
export type InstalledIntegration = Answer<'/integrations', 'post', 201>;
export type RotateResult = Schemas['RotateResult'];
export type TestReport = Schemas['TestReport'];
export type Finding = Schemas['Finding'];
export type FindingAction = NonNullable<Finding['action']>;
export type Diagnostics = Schemas['Diagnostics'];
export type Transition = Schemas['Transition'];
export type WebhookEvent = Schemas['WebhookEvent'];
export type WebhookEventDetail = Schemas['WebhookEventDetail'];
export type Delivery = Schemas['Delivery'];
export type DeliveryDetail = Schemas['DeliveryDetail'];
export type Conversion = Schemas['Conversion'];
export type Customer = Schemas['Customer'];
export type WorkspaceEvent = Schemas['WorkspaceEvent'];
export type ConversionsSeries = Schemas['ConversionAnalytics'];

export type IntegrationList = Answer<'/integrations', 'get'>;
export type TransitionPage = Answer<'/integrations/{id}/transitions', 'get'>;
export type WebhookEventPage = Answer<'/integrations/{id}/webhook-events', 'get'>;
export type DeliveryPage = Answer<'/integrations/{id}/deliveries', 'get'>;
export type ConversionPage = Answer<'/conversions', 'get'>;
export type CustomerPage = Answer<'/customers', 'get'>;
export type WorkspaceEventPage = Answer<'/events', 'get'>;
export type ProviderList = Answer<'/providers', 'get'>;
export type OAuthAuthorize = Answer<'/integrations/slack/install', 'get'>;

/** Every value of a union the API defines, as a list: one missing or extra fails the UI's build. */
export const everyValue = <T extends string>(members: Record<T, true>): T[] => Object.keys(members) as T[];
