/**
 * Run inside a network namespace: a hostile peer instance. It serves its discovery document
 * on ADDRESS:PORT (with the key it holds, which it can change) and, told so on stdin, sends
 * requests to a real instance across the namespaces' network, each a different attack:
 *
 * - `valid`: a well-signed batch of one item (first contact: the target pins this key);
 * - `replay`: the last `valid` request again, byte for byte (same nonce);
 * - `spoof`: a well-signed batch of items of a group whose hub is another instance;
 * - `forged`: a well-signed request whose signature bytes were altered;
 * - `impersonate`: signed with this key but claiming another instance as origin;
 * - `unknown-key`: signed by a key its discovery never showed;
 * - `oversized`: a well-signed body beyond the inbox's limit;
 * - `malformed`: a well-signed body that is not a valid batch;
 * - `unsigned`: no signature at all;
 * - `changed-key`: its discovery now shows a new key, and requests are signed with it.
 *
 * Commands are JSON lines `{"id", "op": "attack"|"flood"|"stop", ...}`; each is answered by a
 * JSON line with the same id. `flood` repeats a list of attacks, round after round, until
 * `stop`, printing `{"round": N}` after each round, and answers `stop` with the count of each
 * attack's answer codes. The HTTPS authority of the network comes from NODE_EXTRA_CA_CERTS.
 * Prints "ready" once listening.
 *
 * Usage: node nsHostile.ts DOMAIN ADDRESS PORT
 */
import { createServer } from 'node:http';
import { request } from 'node:https';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { PROTOCOL_VERSION } from '../../src/shared/protocol/api.ts';
import { toBase64Url, utf8 } from '../../src/shared/protocol/bytes.ts';
import {
  keyPairFromSeed,
  signerOf,
  signRequest,
  type SignedHeaders,
} from '../../src/server/federation/signature.ts';
import { encodeBatch, INBOX_PATH, MAX_BATCH_BYTES } from '../../src/server/federation/wire.ts';

const [domain, host, port] = process.argv.slice(2);
if (domain === undefined || host === undefined || port === undefined) {
  process.stderr.write('usage: nsHostile.ts DOMAIN ADDRESS PORT\n');
  process.exit(2);
}

/** The instance attacked: its domain (what signatures name) and where it listens. */
interface Target {
  domain: string;
  url: string;
}
interface Command {
  id: number;
  op: 'attack' | 'flood' | 'stop';
  attack?: string;
  attacks?: string[];
  target?: Target;
  /** The group of a `spoof` (base64url), the recipients' device ids at the target. */
  groupId?: string;
  devices?: string[];
  /** The instance an `impersonate` claims to be. */
  poseAs?: string;
}
/** The target's answer: its status and error code, or why no answer came. */
interface Answer {
  status: number;
  code?: string;
  body?: unknown;
  network?: string;
}

let key = keyPairFromSeed(randomBytes(32));
let lastValid: { headers: SignedHeaders; body: Uint8Array } | undefined;

const server = createServer((req, res) => {
  if (req.url !== '/.well-known/foyer') {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      domain,
      protocol: PROTOCOL_VERSION,
      instanceKey: toBase64Url(key.publicKey),
      software: 'hostile',
      endpoints: { inbox: INBOX_PATH },
    }),
  );
});

function batch(c: Command, groupId = randomBytes(16), text = 'from a hostile peer'): Uint8Array {
  return encodeBatch([
    {
      kind: 'message',
      groupId,
      msgId: toBase64Url(randomBytes(16)),
      body: utf8(text),
      devices: c.devices ?? ['AAAAAAAAAAAAAAAAAAAAAA'],
    },
  ]);
}

function sign(
  t: Target,
  body: Uint8Array,
  opts: { origin?: string; k?: typeof key } = {},
): SignedHeaders {
  return signRequest({
    method: 'POST',
    origin: opts.origin ?? domain!,
    target: t.domain,
    path: INBOX_PATH,
    body,
    signer: signerOf((opts.k ?? key).privateKey),
    nowSeconds: Math.floor(Date.now() / 1000),
  });
}

/** How long an oversized request's sender waits for the refusal before sending the rest. */
const OVERSIZED_WAIT_MS = 10_000;
/** The part of an oversized body sent with its headers. */
const OVERSIZED_HEAD = 64 * 1024;

/**
 * One POST to the target's inbox, its answer read to the end. With `early`, only the headers
 * and the body's first bytes go at once: a server refusing the declared length answers and
 * closes the connection, and a peer still sending would meet a reset that can discard that
 * answer. The rest is sent only if no answer came within OVERSIZED_WAIT_MS (a server that
 * waits for the body gets it).
 */
function post(
  t: Target,
  headers: Partial<SignedHeaders>,
  body: Uint8Array,
  early = false,
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(`${t.url}${INBOX_PATH}`, {
      method: 'POST',
      agent: false,
      headers: { ...headers, 'content-type': 'application/json', 'content-length': body.length },
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      clearTimeout(rest);
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
        const code = (parsed as { error?: { code?: string } } | null)?.error?.code;
        resolve({
          status: res.statusCode ?? 0,
          ...(code === undefined ? {} : { code }),
          body: parsed,
        });
        req.destroy();
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(rest);
      if (!answered) resolve({ status: 0, network: err.code ?? err.name });
    });
    // (Events come after this function returns, so `rest` is set by then.)
    const rest = early
      ? setTimeout(() => req.end(body.subarray(OVERSIZED_HEAD)), OVERSIZED_WAIT_MS)
      : undefined;
    if (early) req.write(body.subarray(0, OVERSIZED_HEAD));
    else req.end(body);
  });
}

async function attack(c: Command): Promise<Answer> {
  const t = c.target!;
  switch (c.attack) {
    case 'valid': {
      const body = batch(c);
      const headers = sign(t, body);
      lastValid = { headers, body };
      return post(t, headers, body);
    }
    case 'replay':
      if (lastValid === undefined) throw new Error('replay before any valid request');
      return post(t, lastValid.headers, lastValid.body);
    case 'spoof': {
      const body = batch(c, Buffer.from(c.groupId ?? '', 'base64url'), 'spoofed');
      return post(t, sign(t, body), body);
    }
    case 'forged': {
      const body = batch(c);
      const headers = sign(t, body);
      // Flip one byte of the Ed25519 signature inside `foyer=:…:`.
      const m = /^(foyer=:)([^:]+)(:)$/.exec(headers.signature)!;
      const sig = Buffer.from(m[2]!, 'base64');
      sig[0] = sig[0]! ^ 0xff;
      return post(t, { ...headers, signature: `${m[1]}${sig.toString('base64')}${m[3]}` }, body);
    }
    case 'impersonate': {
      const body = batch(c);
      return post(t, sign(t, body, { origin: c.poseAs! }), body);
    }
    case 'unknown-key': {
      const body = batch(c);
      return post(t, sign(t, body, { k: keyPairFromSeed(randomBytes(32)) }), body);
    }
    case 'oversized': {
      // Well signed, with a valid batch's shape: refused for its size alone.
      const filler = 'A'.repeat(MAX_BATCH_BYTES);
      const body = utf8(
        `{"items":[{"kind":"message","groupId":"AAAA","msgId":"${toBase64Url(randomBytes(16))}","body":"${filler}","devices":["AAAAAAAAAAAAAAAAAAAAAA"]}]}`,
      );
      return post(t, sign(t, body), body, true);
    }
    case 'malformed': {
      const body = utf8('{"items":[{"kind":"message"}]}');
      return post(t, sign(t, body), body);
    }
    case 'unsigned': {
      const body = batch(c);
      return post(t, {}, body);
    }
    case 'changed-key': {
      // The key changes for good: discovery shows the new one from now on.
      key = keyPairFromSeed(randomBytes(32));
      const body = batch(c);
      return post(t, sign(t, body), body);
    }
    default:
      throw new Error(`unknown attack ${c.attack}`);
  }
}

let flooding: { stop: boolean; done: Promise<Record<string, Record<string, number>>> } | undefined;

async function flood(c: Command): Promise<Record<string, Record<string, number>>> {
  const counts: Record<string, Record<string, number>> = {};
  for (let round = 1; !flooding!.stop; round++) {
    for (const a of c.attacks ?? []) {
      const answer = await attack({ ...c, attack: a });
      const key = answer.code ?? answer.network ?? String(answer.status);
      const per = (counts[a] ??= {});
      per[key] = (per[key] ?? 0) + 1;
    }
    process.stdout.write(`${JSON.stringify({ round })}\n`);
  }
  return counts;
}

const say = (o: unknown): void => void process.stdout.write(`${JSON.stringify(o)}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line) as Command;
  if (c.op === 'attack') {
    attack(c).then(
      (answer) => say({ id: c.id, answer }),
      (err: Error) => say({ id: c.id, failed: err.message }),
    );
  } else if (c.op === 'flood') {
    const state = { stop: false, done: Promise.resolve({}) };
    flooding = state;
    state.done = flood(c);
    say({ id: c.id, flooding: true });
  } else if (c.op === 'stop' && flooding !== undefined) {
    flooding.stop = true;
    flooding.done.then(
      (counts) => say({ id: c.id, counts }),
      (err: Error) => say({ id: c.id, failed: err.message }),
    );
  }
});
server.listen(Number(port), host, () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
