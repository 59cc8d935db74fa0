/**
 * HSTS only on a public name: on an IP address, `localhost` or a `.local` name it would pin
 * HTTPS for a name that other networks reuse, and a browser would then refuse that name
 * elsewhere over HTTP.
 */
import { isIP } from 'node:net';

export const HSTS_VALUE = 'max-age=31536000';

export function wantsHsts(publicUrl: string): boolean {
  const url = new URL(publicUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol !== 'https:' || isIP(host) !== 0) return false;
  return host !== 'localhost' && !host.endsWith('.localhost') && !host.endsWith('.local');
}
