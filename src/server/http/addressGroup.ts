/**
 * The unit of "one client address" for per-address limits: an IPv4 address, or the /64
 * prefix of an IPv6 address (one home or phone usually gets a whole /64, so counting single
 * IPv6 addresses would give one attacker billions of identities).
 */
import { isIPv4, isIPv6 } from 'node:net';

export function addressGroup(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  if (address.startsWith('::ffff:') && isIPv4(address.slice(7))) return address.slice(7);
  if (!isIPv6(address)) return address;
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
