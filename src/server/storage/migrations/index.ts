/**
 * Every schema migration, in order. A migration is never edited once released: add the next
 * file (NNNN-name.ts) and list it here. migrate.test.ts checks this list against the folder.
 * A database records only the highest version applied, so a new migration must take a number
 * above every one already released: a smaller one would be skipped by existing databases
 * (hence the unused 4, 5 and 9).
 */
import type { Migration } from '../migrate.ts';
import { migration as m0001 } from './0001-initial.ts';
import { migration as m0002 } from './0002-addresses-and-removed-users.ts';
import { migration as m0003 } from './0003-less-metadata.ts';
import { migration as m0006 } from './0006-federation.ts';
import { migration as m0007 } from './0007-home-operations.ts';
import { migration as m0008 } from './0008-federation-hubs.ts';
import { migration as m0010 } from './0010-group-policy.ts';
import { migration as m0011 } from './0011-federation-partitions.ts';
import { migration as m0012 } from './0012-instance-key-rotation.ts';

export const migrations: readonly Migration[] = [
  m0001,
  m0002,
  m0003,
  m0006,
  m0007,
  m0008,
  m0010,
  m0011,
  m0012,
];
