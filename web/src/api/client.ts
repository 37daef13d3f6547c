import type { ApiErrorBody, FieldIssue } from './types';

const KEY_STORAGE = 'linquid.apiKey';

/** The workspace API key lives only in this tab's session: closing the tab signs out. */
export const session = {
  key: () => sessionStorage.getItem(KEY_STORAGE),
  signIn: (key: string) => sessionStorage.setItem(KEY_STORAGE, key),
  signOut: () => sessionStorage.removeItem(KEY_STORAGE),
};

/** An API error as a person reads it: the server's message, its code, and the fields it names. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; key?: string } = {}): Promise<T> {
  const key = init.key ?? session.key();
  let response: Response;
  try {
    response = await fetch(`/v1${path}`, {
      method: init.method ?? 'GET',
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
  } catch {
    throw new ApiError(0, 'network', 'The API could not be reached. Check your connection and try again.');
  }
  const text = await response.text();
  const json = parseJson(text);
  if (!response.ok) {
    // A key revoked or deleted after sign-in: back to the sign-in page rather than failing every call.
    if (response.status === 401 && !init.key) signOutAndReload();
    const body = json as Partial<ApiErrorBody> | undefined;
    throw new ApiError(response.status, body?.error?.code ?? 'http_' + response.status, body?.error?.message ?? `The API answered ${response.status}.`, body?.error?.issues);
  }
  if (json === undefined && text) throw new ApiError(response.status, 'not_json', `The API answered ${response.status} with something other than JSON.`);
  return json as T;
}

/** A proxy's HTML error page is not JSON: read it as no body. */
function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

function signOutAndReload() {
  session.signOut();
  window.location.reload();
}
