/**
 * `foyer client group promote|demote|vote-ban|unvote|unban|permissions|profile|members`:
 * the governance of a group (docs/groups.md). Each command fetches first, so it acts on the
 * group's latest policy.
 */
import { statSync, readFileSync } from 'node:fs';
import type { Engine, GovernanceView, GovernRequest } from '../../shared/engine/index.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { MAX_PICTURE_BYTES } from '../../shared/engine/conversations/content.ts';
import { optional, required, type Parsed } from './args.ts';
import { conflictSentence, conversationLine, governanceReport } from './format.ts';
import { EXIT } from '../errors.ts';
import type { ClientIo } from './io.ts';

export const GOVERNANCE_COMMANDS = new Set([
  'promote',
  'demote',
  'vote-ban',
  'unvote',
  'unban',
  'permissions',
  'profile',
  'members',
]);

function allowed(p: Parsed, flag: string): 'admins' | 'members' {
  const v = required(p, flag);
  if (v !== 'admins' && v !== 'members') {
    throw new FoyerError('usage', `--${flag} is admins or members`);
  }
  return v;
}

function request(sub: string, p: Parsed): GovernRequest {
  if (sub === 'promote' || sub === 'demote') return { op: sub, person: required(p, 'person') };
  if (sub === 'vote-ban' || sub === 'unvote' || sub === 'unban') {
    const deviceId = optional(p, 'device');
    const person = required(p, 'person');
    return deviceId === undefined ? { op: sub, person } : { op: sub, person, deviceId };
  }
  return { op: 'permissions', addMembers: allowed(p, 'add'), editProfile: allowed(p, 'edit') };
}

/** Reads a picture file, refusing one over the bound before reading it. */
function readPicture(path: string): Uint8Array {
  const size = statSync(path).size;
  if (size > MAX_PICTURE_BYTES) {
    throw new FoyerError(
      'payload_too_large',
      `the picture has ${size} bytes; at most ${MAX_PICTURE_BYTES}: resize it first`,
      { max: MAX_PICTURE_BYTES },
    );
  }
  return new Uint8Array(readFileSync(path));
}

/** Runs one governance subcommand with the engine open. */
export async function governanceCommand(
  io: ClientIo,
  p: Parsed,
  e: Engine,
  sub: string,
): Promise<number> {
  const id = required(p, 'conversation');
  await e.sync().catch((err: unknown) => {
    if (!(err instanceof FoyerError && err.code === 'network')) throw err;
  });
  if (sub === 'profile') {
    const title = optional(p, 'title');
    const description = optional(p, 'description');
    const picture = optional(p, 'picture');
    let c = await e.conversation(id);
    if (title !== undefined || description !== undefined || picture !== undefined) {
      c = await e.setProfile(id, {
        title: title ?? c.profile?.title ?? c.title ?? '',
        description: description ?? c.profile?.description ?? '',
        picture: picture === undefined ? null : readPicture(picture),
      });
    }
    const profile = c.profile ?? null;
    io.out(
      p.json
        ? JSON.stringify({ conversation: c, profile })
        : profile === null
          ? `${conversationLine(c)}\nNo group profile yet.`
          : `${profile.title}\n${profile.description}${profile.picture === null ? '' : '\n(picture)'}`,
    );
    return EXIT.ok;
  }
  const view: GovernanceView =
    sub === 'members' ? await e.governance(id) : await e.govern(id, request(sub, p));
  const c = await e.conversation(id);
  const conflict =
    c.conflict === undefined
      ? null
      : { rule: c.conflictRule ?? null, reason: c.conflict, message: conflictSentence(c) };
  io.out(p.json ? JSON.stringify({ governance: view, conflict }) : governanceReport(view, c));
  return EXIT.ok;
}
