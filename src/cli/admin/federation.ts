/**
 * `foyer federation list|deny DOMAIN|allow DOMAIN|rotate-key`: which peer instances this one
 * knows, and the administrator's decisions. Federation is open by default; a denied instance is
 * refused at once by a running server (it reads the decision from the database on every
 * request). `rotate-key` replaces the instance key (storage/instance.ts); a running server
 * notices it at its next use of the key.
 */
import { HeldStore } from '../../server/federation/held/store.ts';
import { FederationStore } from '../../server/federation/store.ts';
import { directWrite } from '../../server/storage/tx.ts';
import { rotateInstanceKey } from '../../server/storage/instance.ts';
import { isDomain } from '../../shared/protocol/names.ts';
import { toBase64Url } from '../../shared/protocol/bytes.ts';
import { parseCommand, UsageError } from './args.ts';
import { EXIT, type Io } from './io.ts';
import { configFor, openExisting } from './open.ts';
import { USAGE } from './help.ts';

export async function federationCommand(io: Io, argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.err(USAGE.federation ?? '');
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub !== 'list' && sub !== 'deny' && sub !== 'allow' && sub !== 'rotate-key') {
    throw new UsageError(
      `unknown federation command "${sub}" (known: list, deny, allow, rotate-key)`,
    );
  }
  const { values, positionals, configArgv } = parseCommand(
    rest,
    { json: { type: 'boolean' } },
    { positionals: sub === 'list' || sub === 'rotate-key' ? 0 : 1 },
  );
  if (values.help === true) {
    io.out(USAGE.federation ?? '');
    return EXIT.ok;
  }
  const domain = positionals[0];
  if ((sub === 'deny' || sub === 'allow') && !isDomain(domain)) {
    throw new UsageError(`federation ${sub} needs the DOMAIN of an instance`);
  }
  const db = await openExisting(configFor(io, configArgv));
  try {
    if (sub === 'rotate-key') {
      // Beside a running server: its own process, so not through the server's writer.
      const r = directWrite(db, (tx) => rotateInstanceKey(tx, db, Date.now()));
      const out = { oldKey: toBase64Url(r.oldKey), newKey: toBase64Url(r.newKey), at: r.at };
      if (values.json === true) io.out(JSON.stringify(out));
      else {
        io.out(`The instance key is now ${out.newKey} (was ${out.oldKey}).`);
        io.out('Peers and clients follow the rotation, signed by the old key.');
      }
      return EXIT.ok;
    }
    const store = new FederationStore(db);
    const held = new HeldStore(db);
    if (sub === 'list') {
      const known = store.peers().map((p) => ({
        domain: p.domain,
        denied: p.denied === 1,
        key: p.public_key === null ? null : toBase64Url(p.public_key),
        queued: store.queued(p.domain),
        held: held.count(p.domain),
      }));
      // A peer this instance only sends to is not pinned (it never signed a request here),
      // yet its queue is what an administrator watching a cut wants to see.
      const unpinned = store
        .pendingDomains()
        .filter((d) => !known.some((p) => p.domain === d))
        .map((d) => ({ domain: d, denied: false, key: null, queued: store.queued(d), held: 0 }));
      const peers = [...known, ...unpinned];
      if (values.json === true) io.out(JSON.stringify({ peers }));
      else if (peers.length === 0) io.out('No peer instance known yet (federation is open).');
      else {
        for (const p of peers) {
          const line = `${p.domain}  ${p.denied ? 'denied' : 'allowed'}  queued ${p.queued}`;
          io.out(p.held > 0 ? `${line}  held ${p.held}` : line);
        }
      }
      return EXIT.ok;
    }
    // Beside a running server: its own process, so not through the server's writer.
    directWrite(db, (tx) => store.setDenied(tx, domain!, sub === 'deny'));
    if (values.json === true) io.out(JSON.stringify({ domain, denied: sub === 'deny' }));
    else io.out(`${domain} is now ${sub === 'deny' ? 'denied' : 'allowed'}.`);
    return EXIT.ok;
  } finally {
    db.close();
  }
}
