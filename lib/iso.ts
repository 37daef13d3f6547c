/** A timestamp as the API and diagnostics show it (ISO-8601), or null when there is none. */
export const iso = (value: Date | string | null | undefined): string | null => (value ? new Date(value).toISOString() : null);
