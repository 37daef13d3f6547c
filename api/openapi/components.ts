import { z } from 'zod';
import type { ZodOpenApiResponsesObject } from 'zod-openapi';

/** The body of every 4xx/5xx the API answers (see api/errors.ts `errorHandler`). */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable machine-readable code, e.g. `invalid_request`, `not_found`, `illegal_transition`.', example: 'invalid_request' }),
      message: z.string().meta({ description: 'A sentence for a person.' }),
      issues: z
        .array(
          z.object({
            path: z.string().meta({ description: 'The field refused, prefixed by where it was: `settings.mode`, `query.limit`, `secrets`, `(body)`.', example: 'settings.mode' }),
            message: z.string(),
            allowed: z.array(z.string()).optional().meta({ description: 'The values that would be accepted, when the provider account says.' }),
          }),
        )
        .optional()
        .meta({ description: 'One entry per refused field (400 `invalid_request`).' }),
    }),
  })
  .meta({ id: 'Error' });

const ERROR_MEANINGS = {
  400: 'Invalid request: `issues[]` names each refused field.',
  401: 'Missing or invalid credentials.',
  404: 'Not found in the caller’s workspace.',
  409: 'Refused in the current state (an illegal lifecycle transition, a redelivery or replay that cannot run now).',
  413: 'The body is larger than the server’s limit (`payload_too_large`).',
  415: 'The body’s content encoding or charset is not supported (`unsupported_encoding`).',
  422: 'Well-formed but refused (credentials missing, idempotency key reused, refused by the provider).',
  502: 'The provider could not be reached.',
  503: 'A dependency (the database, the Slack app) is unavailable; `Retry-After` says when to try again.',
} as const;

export type ErrorStatus = keyof typeof ERROR_MEANINGS;

/** Error responses of an operation: the shared `Error` body under each status it can answer. */
export function errorResponses(...statuses: ErrorStatus[]): ZodOpenApiResponsesObject {
  const all: ErrorStatus[] = [...new Set<ErrorStatus>([...statuses, 503])];
  return Object.fromEntries(all.map((status) => [String(status), { description: ERROR_MEANINGS[status], content: { 'application/json': { schema: ErrorBody } } }]));
}

/** A JSON success body whose shape is built by a view function rather than declared as a schema. */
export function jsonResponse(description: string, schema: z.ZodType = z.looseObject({})) {
  return { description, content: { 'application/json': { schema } } };
}

/** One page of a keyset-paginated listing (api/pagination.ts `Page`). */
export const pageOf = (item: z.ZodType, extra: z.ZodRawShape = {}) =>
  z.object({
    data: z.array(item),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next (older) page; `null` on the last page.' }),
    ...extra,
  });

/** Security schemes, as api/auth.ts reads them: both are `Authorization: Bearer <token>`. */
export const securitySchemes = {
  workspaceApiKey: { type: 'http', scheme: 'bearer', description: 'A workspace API key (`lq_…`), sent as `Authorization: Bearer lq_…`. It is shown once, when the workspace is created.' },
  adminToken: { type: 'http', scheme: 'bearer', description: 'The server’s admin token (`LINQUID_ADMIN_TOKEN`), only for creating workspaces.' },
} as const;
