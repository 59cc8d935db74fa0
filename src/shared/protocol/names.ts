/** Rules for the names people and devices carry. */

/** User names: lowercase letters, digits, `.`, `_`, `-`, 1 to 32 characters. */
export const USER_NAME_RE = /^[a-z0-9._-]{1,32}$/;

/** Device ids are client-generated: 16 random bytes as base64url (22 characters). */
export const DEVICE_ID_RE = /^[A-Za-z0-9_-]{22}$/;

/** Domains: a host name, optionally with a port (`maison.example`, `127.0.0.1:8080`). */
export const DOMAIN_RE = /^[a-z0-9.-]{1,253}(:[0-9]{1,5})?$/;

export function isUserName(v: unknown): v is string {
  return typeof v === 'string' && USER_NAME_RE.test(v);
}

export function isDeviceId(v: unknown): v is string {
  return typeof v === 'string' && DEVICE_ID_RE.test(v);
}

export function isDomain(v: unknown): v is string {
  return typeof v === 'string' && DOMAIN_RE.test(v);
}

/** `alice@maison.example` */
export function userAddress(name: string, domain: string): string {
  return `${name}@${domain}`;
}
