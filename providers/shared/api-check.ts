import { type CredentialCheck, ProviderApiError } from '../types';

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** One GET (no retries of its own: the caller's retry policy owns them); a network failure or timeout is a `ProviderApiError`. */
export async function getJson(url: string, headers: Record<string, string>, timeoutMs: number): Promise<ApiAnswer> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json', ...headers }, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (error) {
    throw new ProviderApiError(`${new URL(url).host} unreachable: ${error instanceof Error ? (error.cause as Error | undefined)?.message ?? error.message : String(error)}`);
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: kept as text for the error message
  }
  return { status: response.status, body };
}

/** 2xx: the credentials work; 401/403: the provider refused them; anything else says nothing about them. */
export function credentialVerdict(status: number, what: string): Exclude<CredentialCheck, 'unchecked'> {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 401 || status === 403) return 'unauthorized';
  throw new ProviderApiError(`${what} answered HTTP ${status}`);
}

/** A provider's API base without a trailing slash: the configured override, else the provider's own. */
export function apiBase(override: string | undefined, providerDefault: string): string {
  return (override ?? providerDefault).replace(/\/$/, '');
}
