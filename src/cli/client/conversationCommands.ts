/**
 * Conversations and messages: conversations, open, group …, leave, send, resend, messages,
 * sync, watch.
 */
import type { Engine, MessageView } from '../../shared/engine/index.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { integer, list, optional, required, type Parsed } from './args.ts';
import {
  conflictSentence,
  conversationLine,
  messageLine,
  pendingLine,
  syncReport,
} from './format.ts';
import { EXIT } from '../errors.ts';
import type { ClientIo } from './io.ts';
import { withEngine } from './session.ts';
import { GOVERNANCE_COMMANDS, governanceCommand } from './groupCommands.ts';

type Run = (io: ClientIo, p: Parsed) => Promise<number>;

function emit(io: ClientIo, p: Parsed, json: unknown, text: () => string): number {
  io.out(p.json ? JSON.stringify(json) : text());
  return EXIT.ok;
}

/**
 * Reading commands fetch first, as a messenger does (`--offline` skips it). When the server
 * cannot be reached, or has revoked this device, they show what this device holds, and say
 * so on stderr.
 */
async function fetchFirst(io: ClientIo, p: Parsed, e: Engine): Promise<void> {
  if (p.flags.offline === true) return;
  try {
    await e.sync();
  } catch (err) {
    // Unreachable, or this device was revoked: its history is still its own to read.
    if (!(err instanceof FoyerError && (err.code === 'network' || err.code === 'device_revoked')))
      throw err;
    io.err(`foyer client: ${err.message}; showing what this device already has.`);
  }
}

/** Fetches and processes what waits, unless the server cannot be reached. */
async function syncIfReachable(e: Engine): Promise<void> {
  await e.sync().catch((err: unknown) => {
    if (!(err instanceof FoyerError && err.code === 'network')) throw err;
  });
}

export const conversations: Run = (io, p) =>
  withEngine(io, p.store, async (e) => {
    await fetchFirst(io, p, e);
    const list = await e.conversations();
    return emit(io, p, { conversations: list }, () =>
      list.length === 0 ? 'No conversations yet.' : list.map(conversationLine).join('\n'),
    );
  });

export const open: Run = (io, p) => {
  const name = p.positionals[1];
  if (name === undefined)
    throw new FoyerError('usage', 'usage: foyer client open PERSON (bob or bob@domain)');
  return withEngine(io, p.store, async (e) => {
    const c = await e.openDirect(name);
    return emit(io, p, { conversation: c }, () => conversationLine(c));
  });
};

export const group: Run = (io, p) => {
  const sub = p.positionals[1];
  return withEngine(io, p.store, async (e) => {
    if (sub !== undefined && GOVERNANCE_COMMANDS.has(sub)) {
      return governanceCommand(io, p, e, sub);
    }
    // Changing members acts on the group's latest state: fetch first.
    if (sub === 'add' || sub === 'remove') await syncIfReachable(e);
    let c;
    if (sub === 'create') c = await e.createGroup(required(p, 'title'), list(p, 'members'));
    else if (sub === 'add') c = await e.addMembers(required(p, 'conversation'), list(p, 'members'));
    else if (sub === 'remove')
      c = await e.removeMembers(required(p, 'conversation'), list(p, 'members'));
    else
      throw new FoyerError(
        'usage',
        'usage: foyer client group create|add|remove|members|promote|demote|vote-ban|unvote|unban|permissions|profile …',
      );
    return emit(io, p, { conversation: c }, () => conversationLine(c));
  });
};

export const leave: Run = (io, p) =>
  withEngine(io, p.store, async (e) => {
    const id = required(p, 'conversation');
    await e.leave(id);
    return emit(io, p, { left: id }, () => `Left conversation ${id}.`);
  });

/** Removes a conversation from all of this user's devices (leaving it first). */
export const remove: Run = (io, p) =>
  withEngine(io, p.store, async (e) => {
    const id = required(p, 'conversation');
    await syncIfReachable(e);
    await e.removeConversation(id);
    return emit(io, p, { removed: id }, () => `Removed conversation ${id}.`);
  });

export const send: Run = (io, p) =>
  withEngine(io, p.store, async (e) => {
    const id = required(p, 'conversation');
    const text = required(p, 'text');
    // Catch up first: sending from a stale epoch could be unreadable for the others.
    await e.sync().catch((err: unknown) => {
      if (!(err instanceof FoyerError && err.code === 'network')) throw err;
    });
    const m = await e.send(id, text);
    // A message left pending says why (another instance unreachable, say): a bare "pending"
    // leaves a person guessing whether to send it again.
    const why = m.state === 'pending' ? await waitingReason(e, m.id) : undefined;
    const line = () => (why === undefined ? `${m.id} ${m.state}` : `${m.id} ${pendingLine(why)}`);
    // Sending stays allowed in conflict: the epoch this device keeps is the one every honest
    // member holds, so the message reaches exactly the members shown (docs/groups.md).
    const warning = conflictSentence(await e.conversation(id));
    if (warning === undefined) return emit(io, p, { message: m }, line);
    if (!p.json) io.err(`foyer client: warning: ${warning}`);
    return emit(io, p, { message: m, warning }, line);
  });

/** Sends failed messages again: one, every failed one of a conversation, or all of them. */
export const resend: Run = (io, p) =>
  withEngine(io, p.store, async (e) => {
    const conversation = optional(p, 'conversation');
    const message = optional(p, 'message');
    if (message !== undefined && conversation === undefined)
      throw new FoyerError('usage', '--message needs --conversation');
    const ids =
      conversation === undefined
        ? (await e.conversations()).filter((c) => c.status === 'active').map((c) => c.id)
        : [conversation];
    const list: MessageView[] = [];
    for (const id of ids) list.push(...(await e.resend(id, message)));
    return emit(io, p, { messages: list }, () =>
      list.length === 0 ? 'No failed messages.' : list.map((m) => `${m.id} ${m.state}`).join('\n'),
    );
  });

export const messages: Run = (io, p) =>
  withEngine(io, p.store, async (e) => {
    const id = required(p, 'conversation');
    await fetchFirst(io, p, e);
    const list = await e.messages(id, integer(p, 'limit'));
    if (p.flags.read === true) await e.markRead(id);
    return emit(io, p, { messages: list }, () =>
      list.length === 0 ? 'No messages.' : list.map(messageLine).join('\n'),
    );
  });

/** `--wait SECONDS`: keep retrying on the outbox's schedule until it is empty (or time's up). */
export const sync: Run = (io, p) =>
  withEngine(io, p.store, async (e) => {
    let r = await e.sync();
    const wait = integer(p, 'wait');
    if (wait !== undefined && r.waiting > 0) {
      const drained = await e.drainOutbox(wait * 1000);
      const failures = [...r.failures, ...drained.failures];
      r = {
        ...r,
        sent: r.sent + drained.sent,
        failed: failures.length,
        failures,
        waiting: drained.waiting,
      };
    }
    const waiting = r.waiting > 0 && !p.json ? await e.outbox() : [];
    return emit(io, p, r, () => syncReport(r, waiting));
  });

/** Why an outbox entry is still waiting: the last error of its last attempt, if any. */
async function waitingReason(e: Engine, id: string): Promise<string | undefined> {
  return (await e.outbox()).find((x) => x.id === id)?.lastError ?? undefined;
}

/** Streams events as JSON lines until SIGINT or SIGTERM. */
export const watch: Run = (io, p) =>
  withEngine(io, p.store, async (e) => {
    e.on((event) => io.out(JSON.stringify(event)));
    await e.sync().catch((err: unknown) => {
      if (!(err instanceof FoyerError && err.code === 'network')) throw err;
      io.out(JSON.stringify({ type: 'error', code: err.code, message: err.message }));
    });
    e.start();
    io.out(JSON.stringify({ type: 'watching' }));
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return EXIT.ok;
  });
