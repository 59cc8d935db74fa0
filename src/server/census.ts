/**
 * What the instance holds, as counts only (no names, no identifiers): `foyer status`, the
 * first-start check and `/metrics` read it through each service's query layer.
 */
import type { Db } from './storage/sqlite.ts';
import { accountStores } from './accounts/store/index.ts';
import { HubStore } from './hub/store.ts';
import { MailboxStore } from './mailbox/store.ts';
import { LinkStore } from './links/store.ts';

export interface Census {
  /** `total` and `admins` leave out removed users, counted in `removed`. */
  users: { total: number; admins: number; removed: number };
  devices: { active: number; revoked: number };
  sessions: number;
  invites: { pending: number; pendingAdmin: number };
  keyPackages: number;
  groups: number;
  mailboxes: { queued: number; devicesWithQueue: number; deepest: number };
  links: number;
}

/** Reads every count in one go (read-only). */
export function takeCensus(db: Db, now = Date.now()): Census {
  const accounts = accountStores(db);
  const { users, invites } = accounts;
  return {
    users: {
      total: users.countLive(),
      admins: users.countLiveAdmins(),
      removed: users.countRemoved(),
    },
    devices: users.countDevices(),
    sessions: accounts.sessions.countLive(now),
    invites: {
      pending: invites.countPending(now),
      pendingAdmin: invites.countPending(now, true),
    },
    keyPackages: accounts.keyPackages.countAll(),
    groups: new HubStore(db).count(),
    mailboxes: new MailboxStore(db).census(),
    links: new LinkStore(db).count(now),
  };
}
