/**
 * Device addresses: who a hub member is, wherever it lives. A device id is unique within its
 * instance only, so a device is named by its user's address (`user@domain`) and its id; the
 * domain alone decides the route (a local mailbox, or a peer instance).
 */

/** A member device of a group: `user@domain` and the device's id at that domain. */
export interface DeviceAddress {
  readonly user: string;
  readonly domain: string;
  readonly deviceId: string;
}

/** Whether two addresses name the same device (the user part follows from domain and id). */
export function sameDevice(a: DeviceAddress, b: DeviceAddress): boolean {
  return a.deviceId === b.deviceId && a.domain === b.domain;
}

/** `user@domain/deviceId`, for messages and debug logs only (never parsed back). */
export function formatDeviceAddress(a: DeviceAddress): string {
  return `${a.user}@${a.domain}/${a.deviceId}`;
}
