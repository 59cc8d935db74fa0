/** Contacts: `contact remove PERSON`, `block PERSON`, `unblock PERSON`, `blocked`. */
import { FoyerError } from '../../shared/protocol/errors.ts';
import type { Parsed } from './args.ts';
import { EXIT } from '../errors.ts';
import type { ClientIo } from './io.ts';
import { withEngine } from './session.ts';
import type { Engine } from '../../shared/engine/index.ts';

type Run = (io: ClientIo, p: Parsed) => Promise<number>;

function emit(io: ClientIo, p: Parsed, json: unknown, text: string): number {
  io.out(p.json ? JSON.stringify(json) : text);
  return EXIT.ok;
}

function person(p: Parsed, index: number, usage: string): string {
  const name = p.positionals[index];
  if (name === undefined) throw new FoyerError('usage', `usage: ${usage}`);
  return name;
}

/** Acts on the latest state (fetch first), unless the server cannot be reached. */
async function syncIfReachable(e: Engine): Promise<void> {
  await e.sync().catch((err: unknown) => {
    if (!(err instanceof FoyerError && err.code === 'network')) throw err;
  });
}

export const contact: Run = (io, p) => {
  if (p.positionals[1] !== 'remove') {
    throw new FoyerError('usage', 'usage: foyer client contact remove PERSON');
  }
  const who = person(p, 2, 'foyer client contact remove PERSON');
  return withEngine(io, p.store, async (e) => {
    await syncIfReachable(e);
    const removed = await e.removeContact(who);
    return emit(io, p, { removed }, `Removed ${removed.length} conversation(s) with ${who}.`);
  });
};

export const block: Run = (io, p) => {
  const who = person(p, 1, 'foyer client block PERSON');
  return withEngine(io, p.store, async (e) => {
    await syncIfReachable(e);
    const removed = await e.block(who);
    return emit(
      io,
      p,
      { blocked: who, removed },
      `Blocked ${who}; removed ${removed.length} conversation(s).`,
    );
  });
};

export const unblock: Run = (io, p) => {
  const who = person(p, 1, 'foyer client unblock PERSON');
  return withEngine(io, p.store, async (e) => {
    await syncIfReachable(e);
    await e.unblock(who);
    return emit(io, p, { unblocked: who }, `Unblocked ${who}.`);
  });
};

export const blocked: Run = (io, p) =>
  withEngine(io, p.store, async (e) => {
    if (p.flags.offline !== true) await syncIfReachable(e);
    const list = await e.blocked();
    return emit(
      io,
      p,
      { blocked: list },
      list.length === 0 ? 'Nobody is blocked.' : list.join('\n'),
    );
  });
