/** Account, devices and trust: register, whoami, devices, link, safety, trust. */
import { Engine } from '../../shared/engine/index.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { integer, optional, required, type Parsed } from './args.ts';
import { FileStorage } from './fileStore.ts';
import { deviceLine } from './format.ts';
import { EXIT } from '../errors.ts';
import type { ClientIo } from './io.ts';
import { newPassphrase } from './passphrase.ts';
import { withEngine } from './session.ts';

type Run = (io: ClientIo, p: Parsed) => Promise<number>;

function emit(io: ClientIo, p: Parsed, json: unknown, text: () => string): number {
  io.out(p.json ? JSON.stringify(json) : text());
  return EXIT.ok;
}

/** Runs `fn` on a store folder that must not hold an account yet. */
async function withNewStore(
  io: ClientIo,
  dir: string,
  fn: (s: FileStorage, pass: string) => Promise<Engine>,
): Promise<Engine> {
  const storage = FileStorage.open(dir);
  try {
    return await fn(storage, await newPassphrase(io));
  } catch (err) {
    await storage.close();
    throw err;
  }
}

export const register: Run = async (io, p) => {
  const invite = required(p, 'invite');
  const name = required(p, 'name');
  const server = optional(p, 'server');
  const engine = await withNewStore(io, p.store, (s, pass) =>
    Engine.register(s, pass, { invite, name, ...(server === undefined ? {} : { server }) }),
  );
  const me = engine.whoami();
  await engine.close();
  return emit(io, p, me, () => `Registered ${me.address} (device ${me.deviceId}).`);
};

export const whoami: Run = (io, p) =>
  withEngine(io, p.store, async (e) => {
    const me = e.whoami();
    return emit(
      io,
      p,
      me,
      () =>
        `${me.address}${me.admin ? ' (admin)' : ''}, device ${me.deviceId}, server ${me.server}`,
    );
  });

export const devices: Run = (io, p) => {
  if (p.positionals[1] === 'revoke') {
    const id = p.positionals[2];
    if (id === undefined) throw new FoyerError('usage', 'usage: foyer client devices revoke ID');
    return withEngine(io, p.store, async (e) => {
      const r = await e.revokeDevice(id);
      return emit(
        io,
        p,
        { revoked: id, conversationsUpdated: r.removed },
        () => `Revoked ${id}; removed from ${r.removed} conversation(s).`,
      );
    });
  }
  return withEngine(io, p.store, async (e) => {
    const list = await e.devices();
    return emit(io, p, { devices: list }, () => list.map(deviceLine).join('\n'));
  });
};

/** `link --server URL` on the new device; `link approve CODE` on an existing one. */
export const link: Run = async (io, p) => {
  if (p.positionals[1] === 'approve') {
    const code = p.positionals[2];
    if (code === undefined) throw new FoyerError('usage', 'usage: foyer client link approve CODE');
    const waitMs = (integer(p, 'wait') ?? 120) * 1000;
    return withEngine(io, p.store, async (e) => {
      const r = await e.approveLink(code, waitMs);
      return emit(io, p, r, () =>
        r.pending
          ? `Approved device ${r.deviceId}; it has not published keys yet: it will be added to your conversations at your next sync.`
          : `Approved device ${r.deviceId} and added it to ${r.conversations} conversation(s).`,
      );
    });
  }
  const server = required(p, 'server');
  const abort = new AbortController();
  const onSignal = () => abort.abort(new FoyerError('usage', 'cancelled'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const engine = await withNewStore(io, p.store, (s, pass) =>
      Engine.link(
        s,
        pass,
        server,
        (code, qr) => {
          if (p.json) io.out(JSON.stringify({ code, qr }));
          else
            io.err(
              `On a device already signed in, run:\n\n  foyer client link approve ${code}\n\n(QR payload: ${qr})\nWaiting for approval…`,
            );
        },
        { signal: abort.signal },
      ),
    );
    const me = engine.whoami();
    await engine.close();
    return emit(
      io,
      p,
      me,
      () => `Linked: this device is now ${me.address} (device ${me.deviceId}).`,
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
};

export const safety: Run = (io, p) => {
  const name = p.positionals[1];
  if (name === undefined)
    throw new FoyerError('usage', 'usage: foyer client safety PERSON [--verify]');
  return withEngine(io, p.store, async (e) => {
    const qr = optional(p, 'qr');
    if (qr !== undefined && !(await e.verifySafetyQr(name, qr))) {
      throw new FoyerError(
        'bad_signature',
        `the scanned code does not match ${name}'s key: do not mark them verified`,
      );
    }
    if (p.flags.verify === true) await e.setVerified(name, true);
    if (p.flags.unverify === true) await e.setVerified(name, false);
    const s = await e.safety(name);
    return emit(io, p, s, () =>
      [
        `Safety number with ${s.address}:`,
        `  ${s.digits}`,
        `QR payload: ${s.qr}`,
        s.changed
          ? `WARNING: ${s.address}'s identity key CHANGED and is refused; compare, then "foyer client trust accept ${s.address}".`
          : s.verified
            ? 'Verified.'
            : `Not verified: compare with ${s.address}, then run "foyer client safety ${s.address} --verify".`,
      ].join('\n'),
    );
  });
};

export const trust: Run = (io, p) => {
  const [, sub, name] = p.positionals;
  if (sub !== 'accept' || name === undefined)
    throw new FoyerError('usage', 'usage: foyer client trust accept PERSON');
  return withEngine(io, p.store, async (e) => {
    await e.acceptIdentityChange(name);
    return emit(
      io,
      p,
      { accepted: name },
      () => `Accepted the new identity key of ${name} (not verified).`,
    );
  });
};
