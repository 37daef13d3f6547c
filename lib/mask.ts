/** Shown in place of a secret: in API views of an integration and in the request headers a delivery logs. */
export const MASK = '••••••••';
