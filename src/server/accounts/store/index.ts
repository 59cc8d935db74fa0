/** The accounts service's query layer, one store per concern, built once per database. */
import type { Db } from '../../storage/sqlite.ts';
import { InviteStore } from './invites.ts';
import { KeyPackageStore } from './keyPackages.ts';
import { SessionStore } from './sessions.ts';
import { UserStore } from './users.ts';

export { InviteStore, KeyPackageStore, SessionStore, UserStore };
export type { DeviceRow, UserRow, UserSummaryRow } from './users.ts';

export interface AccountStores {
  users: UserStore;
  invites: InviteStore;
  sessions: SessionStore;
  keyPackages: KeyPackageStore;
}

export function accountStores(db: Db): AccountStores {
  return {
    users: new UserStore(db),
    invites: new InviteStore(db),
    sessions: new SessionStore(db),
    keyPackages: new KeyPackageStore(db),
  };
}
