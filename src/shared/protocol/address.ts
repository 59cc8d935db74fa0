/**
 * Addresses: who a person is, wherever they live. `alice@maison.example` names a user of the
 * instance at `maison.example`; a device is that address plus the device id. A bare name
 * typed by a person means a user of their own instance.
 */
import { FoyerError } from './errors.ts';
import { isDomain, isUserName } from './names.ts';

/** A user's address, parsed. */
export interface Address {
  readonly user: string;
  readonly domain: string;
}

/** `user@domain` */
export function formatAddress(a: Address): string {
  return `${a.user}@${a.domain}`;
}

export function sameAddress(a: Address, b: Address): boolean {
  return a.user === b.user && a.domain === b.domain;
}

/**
 * Parses `user@domain`, or a bare `user` of `localDomain`, as a person types it (surrounding
 * spaces ignored, case folded). @throws FoyerError invalid_name
 */
export function parseAddress(input: string, localDomain: string): Address {
  const text = input.trim().toLowerCase();
  const at = text.lastIndexOf('@');
  const user = at < 0 ? text : text.slice(0, at);
  const domain = at < 0 ? localDomain : text.slice(at + 1);
  if (!isUserName(user) || !isDomain(domain)) {
    throw new FoyerError('invalid_name', `not a user name or address: ${input}`);
  }
  return { user, domain };
}

/**
 * Parses a stored `user@domain` (written by formatAddress).
 * @throws FoyerError corrupt_store when it is not one
 */
export function addressFromString(text: string): Address {
  const at = text.lastIndexOf('@');
  const a = { user: text.slice(0, at), domain: text.slice(at + 1) };
  if (at < 0 || !isUserName(a.user) || !isDomain(a.domain)) {
    throw new FoyerError('corrupt_store', 'the client store holds a malformed address');
  }
  return a;
}

/** `user@domain/deviceId`: a device, wherever it lives (a device id is unique per instance). */
export function formatDeviceAddress(d: Address & { readonly deviceId: string }): string {
  return `${formatAddress(d)}/${d.deviceId}`;
}
