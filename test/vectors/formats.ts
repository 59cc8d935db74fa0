/**
 * Known-answer vectors for Foyer's wire and storage formats: how each vector file is made
 * from fixed inputs (keys from fixed seeds, randomness from a seeded generator), and how it
 * is replayed. The same module runs under Node (replay.test.ts, the generator script) and
 * in Chromium (browser.test.ts bundles it), so both runtimes are held to the same bytes.
 *
 * It uses no node:* module and no DOM: only what src/shared itself may use.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  checkCredentialSignatures,
  decodeCredential,
  encodeCredential,
  identitySignatureInput,
  instanceSignatureInput,
  type DeviceCredential,
} from '../../src/shared/protocol/credential.ts';
import { signBytes, type SignatureKeyPair } from '../../src/shared/mls/keys.ts';
import { concatBytes, fromUtf8, toHex, utf8 } from '../../src/shared/protocol/bytes.ts';
import { FoyerError } from '../../src/shared/protocol/errors.ts';
import {
  decodeItem,
  decodeReceipt,
  decodeSubmission,
  encodeItem,
  encodeReceipt,
  encodeSubmission,
} from '../../src/shared/protocol/envelope.ts';
import {
  decodeContent,
  encodeContent,
  type Content,
} from '../../src/shared/engine/conversations/content.ts';
import {
  linkChannel,
  linkQrPayload,
  openLink,
  parseLinkCode,
  parseLinkQr,
  sealLink,
  type LinkDirection,
} from '../../src/shared/engine/devices/linkCrypto.ts';
import {
  compareSafetyQr,
  fingerprint,
  safetyNumber,
  type Party,
} from '../../src/shared/engine/identity/safety.ts';
import { decodeRecord, encodeRecord } from '../../src/shared/engine/store/records.ts';
import { EncryptedStore } from '../../src/shared/engine/store/encryptedStore.ts';
import { MemoryStorage } from '../../src/shared/engine/store/storage.ts';

/** One committed file, test/vectors/<format>.json. */
export interface VectorFile {
  format: Format;
  description: string;
  vectors: Vector[];
}

/** A vector: its inputs and the outputs every conforming implementation must produce. */
export interface Vector {
  name: string;
  [field: string]: unknown;
}

/** What a replay found: how many vectors it checked and what did not match. */
export interface ReplayResult {
  format: Format;
  checked: number;
  failures: string[];
}

export const FORMATS = [
  'credential',
  'envelope',
  'content',
  'link',
  'safety',
  'records',
  'store',
] as const;
export type Format = (typeof FORMATS)[number];

// ---- helpers ----------------------------------------------------------------------------

export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new Error(`not lowercase hex: ${hex.slice(0, 20)}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Runs `fn` with `crypto.getRandomValues` replaced by a generator seeded with `seed`
 * (SHA-256 of seed ‖ counter), so that nonces and salts — and thus whole sealed payloads —
 * are reproducible. Only vectors use this; the calls must not overlap.
 */
export async function withSeededRandom<T>(seed: string, fn: () => Promise<T>): Promise<T> {
  type Fill = <V extends ArrayBufferView | null>(array: V) => V;
  const c = globalThis.crypto as unknown as { getRandomValues: Fill };
  const hadOwn = Object.hasOwn(c, 'getRandomValues');
  const previous = c.getRandomValues;
  let counter = 0;
  let pool: Uint8Array = new Uint8Array(0);
  const take = (n: number): Uint8Array => {
    while (pool.length < n) {
      const block = sha256(concatBytes(utf8(seed), Uint8Array.of(0, counter >>> 8, counter & 255)));
      counter++;
      pool = concatBytes(pool, block);
    }
    const out = pool.slice(0, n);
    pool = pool.slice(n);
    return out;
  };
  c.getRandomValues = (array) => {
    if (array !== null) {
      new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(take(array.byteLength));
    }
    return array;
  };
  try {
    return await fn();
  } finally {
    if (hadOwn) c.getRandomValues = previous;
    else delete (c as { getRandomValues?: unknown }).getRandomValues;
  }
}

/** An Ed25519 key pair from a fixed 32-byte seed, in the form Foyer signs with. */
export function keyFromSeed(seedHex: string): SignatureKeyPair {
  const seed = fromHex(seedHex);
  // PKCS#8 for Ed25519 (RFC 8410): a fixed header followed by the 32-byte seed.
  const pkcs8 = concatBytes(fromHex('302e020100300506032b657004220420'), seed);
  return { publicKey: ed25519.getPublicKey(seed), privateKey: pkcs8 };
}

/** A comparable form: bytes as hex, object keys sorted, no prototypes. */
function canonical(value: unknown): string {
  const walk = (v: unknown): unknown => {
    if (v instanceof Uint8Array) return { $hex: toHex(v) };
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(o)
          .sort()
          .map((k) => [k, walk(o[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(walk(value));
}

/** Replaces `{"$hex": "..."}` by bytes, the vectors' notation for byte strings in values. */
function withBytes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withBytes);
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    if (typeof o['$hex'] === 'string' && Object.keys(o).length === 1) return fromHex(o['$hex']);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, withBytes(v)]));
  }
  return value;
}

/** The error code `fn` fails with, or 'none'. Errors other than FoyerError are re-thrown. */
async function failureOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return 'none';
  } catch (err) {
    if (err instanceof FoyerError) return err.code;
    throw err;
  }
}

class Checker {
  readonly failures: string[] = [];
  checked = 0;
  readonly format: Format;
  constructor(format: Format) {
    this.format = format;
  }

  same(vector: string, what: string, actual: unknown, expected: unknown): void {
    const a = canonical(actual);
    const e = canonical(expected);
    if (a !== e) {
      this.failures.push(
        `${this.format}/${vector}: ${what}: got ${a.slice(0, 300)}, want ${e.slice(0, 300)}`,
      );
    }
  }

  result(): ReplayResult {
    return { format: this.format, checked: this.checked, failures: this.failures };
  }
}

// ---- inputs -----------------------------------------------------------------------------

const SEED = {
  alice: '00'.repeat(31) + '01',
  aliceDevice: '00'.repeat(31) + '02',
  bob: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  bobDevice: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
  instance: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
  otherInstance: 'ff'.repeat(32),
};

const credentialInputs = [
  {
    name: 'alice, first device',
    user: 'alice',
    domain: 'maison.example',
    deviceId: 'AAAAAAAAAAAAAAAAAAAAAA',
    identitySeed: SEED.alice,
    deviceSeed: SEED.aliceDevice,
  },
  {
    name: 'a domain with a port',
    user: 'bob.smith-2_x',
    domain: '127.0.0.1:8080',
    deviceId: 'Zm95ZXItZGV2aWNlLWlkLQ',
    identitySeed: SEED.bob,
    deviceSeed: SEED.bobDevice,
  },
  {
    name: 'every field at its longest',
    user: 'u'.repeat(32),
    domain: `${'a'.repeat(249)}.org:65535`,
    deviceId: '-_-_-_-_-_-_-_-_-_-_-_',
    identitySeed: SEED.bob,
    deviceSeed: SEED.aliceDevice,
  },
];

type EnvelopeType = 'submit' | 'receipt' | 'item';
const ENVELOPE_CODECS: Record<
  EnvelopeType,
  { encode(v: never): Uint8Array; decode(b: Uint8Array): unknown }
> = {
  submit: { encode: encodeSubmission, decode: decodeSubmission },
  receipt: { encode: encodeReceipt, decode: decodeReceipt },
  item: { encode: encodeItem, decode: decodeItem },
};

const envelopeInputs: Array<{ name: string; type: EnvelopeType; value: unknown }> = [
  {
    name: 'submission, message only',
    type: 'submit',
    value: { groupId: 'AAECAwQFBgcICQoLDA0ODw', id: 'msg-0123456789_abcdef', message: 'AAEC_-8' },
  },
  {
    name: 'submission with welcome and group info',
    type: 'submit',
    value: {
      groupId: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8',
      id: 'AAAAAAAAAAAAAAAAAAAAAA',
      message: 'AQID',
      welcome: 'BAUG',
      groupInfo: '',
    },
  },
  { name: 'receipt', type: 'receipt', value: { epoch: 7, duplicate: false } },
  {
    name: 'receipt of a duplicate, largest epoch',
    type: 'receipt',
    value: { epoch: Number.MAX_SAFE_INTEGER, duplicate: true },
  },
  {
    name: 'mailbox item: message',
    type: 'item',
    value: {
      seq: 1,
      kind: 'message',
      groupId: 'AAECAwQFBgcICQoLDA0ODw',
      id: 'msg-0123456789_abcdef',
      payload: 'AAEC',
      receivedAt: 1764500000000,
    },
  },
  {
    name: 'mailbox item: welcome',
    type: 'item',
    value: {
      seq: 4294967296,
      kind: 'welcome',
      groupId: 'AAECAwQFBgcICQoLDA0ODw',
      id: 'AAAAAAAAAAAAAAAA',
      payload: '',
      receivedAt: 0,
    },
  },
  {
    name: 'mailbox item: link',
    type: 'item',
    value: {
      seq: 2,
      kind: 'link',
      groupId: 'AAECAwQFBgcICQoLDA0ODw',
      id: 'AAAAAAAAAAAAAAAA',
      payload: '_w',
      receivedAt: 5,
    },
  },
];

/** Damaged envelopes: [name, type to decode as, hex]. */
const badEnvelopes: Array<[string, EnvelopeType, string]> = [
  ['unknown version', 'receipt', '0202000000000000000700'],
  ['a receipt read as a submission', 'submit', '0102000000000000000700'],
  ['receipt flag 2', 'receipt', '0102000000000000000702'],
  ['receipt with a trailing byte', 'receipt', '010200000000000000070000'],
  ['truncated receipt', 'receipt', '01020000000000000007'],
  ['epoch past 2^53', 'receipt', '01020020000000000000' + '00'],
  ['empty', 'item', ''],
  ['mailbox item of kind 4', 'item', '0103000000000000000104'],
  ['submission with flags 4', 'submit', '010100000002000100000002414200000001ff04'],
];

const contentInputs: Array<{ name: string; content: Content }> = [
  {
    name: 'text',
    content: { t: 'text', id: 'AAECAwQFBgcICQoLDA0ODw', ts: 1764500000000, text: 'Bonjour !' },
  },
  {
    name: 'text with emoji, accents, quotes, controls and a lone surrogate',
    content: {
      t: 'text',
      id: 'msg-0123456789_abcdef',
      ts: 0,
      text: 'À table 🍲 "ce soir"\n\t\u0000\u001f\ud800 \u2028',
    },
  },
  {
    name: 'delivered receipt',
    content: {
      t: 'receipt',
      kind: 'delivered',
      ids: ['AAECAwQFBgcICQoLDA0ODw', 'msg-0123456789_abcdef'],
    },
  },
  { name: 'read receipt, no ids', content: { t: 'receipt', kind: 'read', ids: [] } },
  { name: 'typing', content: { t: 'typing' } },
  { name: 'group metadata', content: { t: 'meta', kind: 'group', title: 'Famille 🏡' } },
  { name: 'direct metadata', content: { t: 'meta', kind: 'direct', title: null } },
  { name: 'leave', content: { t: 'leave' } },
];

/** Bytes the decoder must refuse (it answers undefined) or read in a pinned way. */
const contentDecodings: Array<{ name: string; text: string; decoded: Content | null }> = [
  { name: 'unknown version', text: '{"v":2,"t":"typing"}', decoded: null },
  { name: 'no version', text: '{"t":"typing"}', decoded: null },
  { name: 'unknown type', text: '{"v":1,"t":"reaction","emoji":"👍"}', decoded: null },
  { name: 'not an object', text: '[1,"text"]', decoded: null },
  { name: 'not JSON', text: '{"v":1,', decoded: null },
  {
    name: 'short message id',
    text: '{"v":1,"t":"text","id":"short","ts":1,"text":"x"}',
    decoded: null,
  },
  {
    name: 'fractional time',
    text: '{"v":1,"t":"text","id":"AAECAwQFBgcICQoLDA0ODw","ts":1.5,"text":"x"}',
    decoded: null,
  },
  { name: 'bad receipt kind', text: '{"v":1,"t":"receipt","kind":"seen","ids":[]}', decoded: null },
  {
    name: 'unknown fields are ignored',
    text: '{"v":1,"t":"text","id":"AAECAwQFBgcICQoLDA0ODw","ts":5,"text":"x","extra":true}',
    decoded: { t: 'text', id: 'AAECAwQFBgcICQoLDA0ODw', ts: 5, text: 'x' },
  },
];

const linkCodes = [
  { name: 'as shown', typed: 'ABCD-EFGH-JKMN-PQRS' },
  { name: 'lower case, spaces, look-alikes', typed: 'oi1l 2345 6789 vwxy' },
  { name: 'no separators', typed: '0123456789ABCDEF' },
];
const badLinkCodes = ['ABCD-EFGH-JKMN-PQR', 'ABCD-EFGH-JKMN-PQRU', 'ABCD-EFGH-JKMN-PQRS-T', ''];
const linkQrs = [
  { name: 'https server', server: 'https://maison.example', code: 'ABCD-EFGH-JKMN-PQRS' },
  { name: 'loopback with a port', server: 'http://127.0.0.1:8080', code: '0123-4567-89AB-CDEF' },
];
const badLinkQrs = [
  'foyer-link:2:https://maison.example#ABCD-EFGH-JKMN-PQRS',
  'foyer-link:1:https://maison.example',
  'https://maison.example#ABCD-EFGH-JKMN-PQRS',
];
const linkSeals: Array<{
  name: string;
  code: string;
  direction: LinkDirection;
  seed: string;
  payload: unknown;
}> = [
  {
    name: 'link request',
    code: 'ABCD-EFGH-JKMN-PQRS',
    direction: 'request',
    seed: 'link request nonce',
    payload: { v: 1, deviceId: 'AAAAAAAAAAAAAAAAAAAAAA', deviceKey: { $hex: 'ab'.repeat(32) } },
  },
  {
    name: 'link reply',
    code: 'ABCD-EFGH-JKMN-PQRS',
    direction: 'reply',
    seed: 'link reply nonce',
    payload: {
      v: 1,
      user: 'alice',
      domain: 'maison.example',
      admin: true,
      credential: { $hex: '01' },
      instanceKey: { $hex: '00'.repeat(32) },
      pins: {},
    },
  },
];

const safetyInputs = [
  {
    name: 'alice and bob',
    us: ['alice@maison.example', SEED.alice],
    them: ['bob@maison.example', SEED.bob],
  },
  {
    name: 'across instances',
    us: ['bob@chez-bob.example', SEED.bob],
    them: ['alice@maison.example:8443', SEED.aliceDevice],
  },
];

const recordInputs: Array<{ name: string; value: unknown }> = [
  { name: 'plain JSON', value: { v: 1, n: 42, s: 'é', list: [true, null, 1.5] } },
  {
    name: 'byte strings',
    value: { v: 1, key: { $hex: '00ff10' }, empty: { $hex: '' }, nested: [{ $hex: 'deadbeef' }] },
  },
];
const badRecords = ['{"v":1,"k":{"$b":"*"}}', '{"v":1,"k":{"$b":"AB=="}}', '{"v":1', '\u00ff'];

const storeInputs = [
  {
    name: 'small cost, three records',
    passphrase: 'correct horse battery staple',
    kdf: { memoryKiB: 64, iterations: 2, parallelism: 1 },
    seed: 'store one',
    records: [
      { name: 'account', value: { $hex: '7b2276223a317d' } },
      { name: 'conv/AAECAwQFBgcICQoLDA0ODw', value: { $hex: '' } },
      { name: 'outbox/msg-0123456789_abcdef', value: { $hex: '00'.repeat(40) } },
    ],
  },
  {
    name: 'default cost',
    passphrase: 'pâté 🥖',
    kdf: { memoryKiB: 19456, iterations: 2, parallelism: 1 },
    seed: 'store two',
    records: [{ name: 'pins', value: { $hex: '7b7d' } }],
  },
];

// ---- generation ---------------------------------------------------------------------------

const DESCRIPTIONS: Record<Format, string> = {
  envelope:
    'Message envelopes (protocol/envelope.ts): the binary submission, receipt and mailbox item a carrier moves; values as the JSON API has them (byte strings in base64url). Damaged envelopes must fail with the given code.',
  credential:
    'Device credentials (protocol/credential.ts): keys are Ed25519 from the given seeds; the signature inputs, the deterministic Ed25519 signatures and the encoding are pinned. Malformed encodings must fail with the given code.',
  content:
    'Application message contents (engine/conversations/content.ts): the exact UTF-8 JSON each content encodes to, and how given texts decode (null: refused).',
  link: 'Device linking (engine/devices/linkCrypto.ts): the code as typed and its normal form, the rendezvous id and channel key it derives, QR payloads, and sealed payloads whose nonce comes from the seeded generator (SHA-256 of seed ‖ 0 ‖ counter16).',
  safety:
    "Safety numbers (engine/identity/safety.ts): each party's fingerprint, the 60 digits and the QR payload; keys are Ed25519 public keys from the given seeds.",
  records:
    'Client store records (engine/store/records.ts): the JSON text a value encodes to; {"$hex": ...} in a value stands for a byte string. Malformed texts must fail with the given code.',
  store:
    'The encrypted client store (engine/store/encryptedStore.ts): every storage key and sealed byte a store holds after creation with the given passphrase and KDF cost, salt and nonces from the seeded generator, and the records written in one transaction.',
};

/** Computes the vectors of one format from the fixed inputs above. */
export async function generate(format: Format): Promise<VectorFile> {
  const vectors = await GENERATORS[format]();
  return { format, description: DESCRIPTIONS[format], vectors };
}

async function credentialOutputs(i: (typeof credentialInputs)[number]) {
  const identity = keyFromSeed(i.identitySeed);
  const device = keyFromSeed(i.deviceSeed);
  const instance = keyFromSeed(SEED.instance);
  const binding = {
    user: i.user,
    domain: i.domain,
    deviceId: i.deviceId,
    deviceKey: device.publicKey,
    identityKey: identity.publicKey,
  };
  const identitySignature = await signBytes(identity, identitySignatureInput(binding));
  const instanceSignature = await signBytes(
    instance,
    instanceSignatureInput(binding, identitySignature),
  );
  const credential: DeviceCredential = { ...binding, identitySignature, instanceSignature };
  return {
    deviceKey: toHex(device.publicKey),
    identityKey: toHex(identity.publicKey),
    instanceKey: toHex(instance.publicKey),
    identitySignatureInput: toHex(identitySignatureInput(binding)),
    identitySignature: toHex(identitySignature),
    instanceSignature: toHex(instanceSignature),
    encoded: toHex(encodeCredential(credential)),
  };
}

function malformedCredentials(
  valid: Uint8Array,
): Array<{ name: string; encoded: string; error: string }> {
  const v2 = valid.slice();
  v2[0] = 2;
  const badUser = valid.slice();
  badUser[5] = 0x41; // 'A': user names are lower case
  const hugeLength = valid.slice();
  hugeLength.set([0xff, 0xff, 0xff, 0xff], 1); // the user name's length prefix
  return [
    { name: 'truncated', encoded: toHex(valid.slice(0, valid.length - 1)), error: 'bad_request' },
    {
      name: 'trailing byte',
      encoded: toHex(concatBytes(valid, Uint8Array.of(0))),
      error: 'bad_request',
    },
    { name: 'version 2', encoded: toHex(v2), error: 'bad_request' },
    { name: 'upper-case user name', encoded: toHex(badUser), error: 'bad_request' },
    { name: 'empty', encoded: '', error: 'bad_request' },
    { name: 'too long', encoded: toHex(new Uint8Array(536)), error: 'bad_request' },
    { name: 'huge length prefix', encoded: toHex(hugeLength), error: 'bad_request' },
  ];
}

const GENERATORS: Record<Format, () => Promise<Vector[]>> = {
  async credential() {
    const out: Vector[] = [];
    for (const i of credentialInputs)
      out.push({ ...i, ...(await credentialOutputs(i)), instanceSeed: SEED.instance });
    const first = out[0]!;
    for (const m of malformedCredentials(fromHex(first['encoded'] as string))) {
      out.push({ name: `malformed: ${m.name}`, encoded: m.encoded, error: m.error });
    }
    return out;
  },

  async envelope() {
    return [
      ...envelopeInputs.map((i) => ({
        ...i,
        encoded: toHex(ENVELOPE_CODECS[i.type].encode(i.value as never)),
      })),
      ...badEnvelopes.map(([name, type, encoded]) => ({
        name: `malformed: ${name}`,
        type,
        encoded,
        error: 'bad_request',
      })),
    ];
  },

  async content() {
    return [
      ...contentInputs.map((i) => ({
        name: i.name,
        content: i.content,
        encoded: fromUtf8(encodeContent(i.content))!,
      })),
      ...contentDecodings.map((d) => ({
        name: `decode: ${d.name}`,
        text: d.text,
        decoded: d.decoded,
      })),
    ];
  },

  async link() {
    const out: Vector[] = [];
    for (const c of linkCodes) {
      const ch = await linkChannel(c.typed);
      out.push({
        name: `code: ${c.name}`,
        typed: c.typed,
        code: ch.code,
        rid: ch.rid,
        key: toHex(ch.key),
      });
    }
    for (const typed of badLinkCodes)
      out.push({ name: `bad code: ${JSON.stringify(typed)}`, typed, error: 'usage' });
    for (const q of linkQrs)
      out.push({
        name: `qr: ${q.name}`,
        server: q.server,
        code: q.code,
        qr: linkQrPayload(q.server, q.code),
      });
    for (const qr of badLinkQrs) out.push({ name: `bad qr: ${qr}`, qr, error: 'usage' });
    for (const s of linkSeals) {
      const ch = await linkChannel(s.code);
      const plaintext = encodeRecord(withBytes(s.payload));
      const sealed = await withSeededRandom(s.seed, () => sealLink(ch, s.direction, plaintext));
      out.push({
        name: `sealed: ${s.name}`,
        code: s.code,
        direction: s.direction,
        seed: s.seed,
        payload: s.payload,
        plaintext: fromUtf8(plaintext)!,
        sealed,
      });
    }
    return out;
  },

  async safety() {
    const out: Vector[] = [];
    for (const i of safetyInputs) {
      const us: Party = { address: i.us[0]!, identityKey: keyFromSeed(i.us[1]!).publicKey };
      const them: Party = { address: i.them[0]!, identityKey: keyFromSeed(i.them[1]!).publicKey };
      const n = await safetyNumber(us, them);
      out.push({
        name: i.name,
        us: { address: us.address, identityKey: toHex(us.identityKey) },
        them: { address: them.address, identityKey: toHex(them.identityKey) },
        usFingerprint: toHex(await fingerprint(us)),
        themFingerprint: toHex(await fingerprint(them)),
        digits: n.digits,
        qr: n.qr,
      });
    }
    return out;
  },

  async records() {
    return [
      ...recordInputs.map((i) => ({
        name: i.name,
        value: i.value,
        encoded: fromUtf8(encodeRecord(withBytes(i.value)))!,
      })),
      ...badRecords.map((text) => ({ name: `malformed: ${text}`, text, error: 'corrupt_store' })),
    ];
  },

  async store() {
    const out: Vector[] = [];
    for (const i of storeInputs) out.push({ ...i, storage: await storeContents(i) });
    return out;
  },
};

async function storeContents(i: (typeof storeInputs)[number]): Promise<Record<string, string>> {
  const storage = new MemoryStorage();
  await withSeededRandom(i.seed, async () => {
    const store = await EncryptedStore.open(storage, i.passphrase, { create: true, kdf: i.kdf });
    const tx = store.tx();
    for (const r of i.records) tx.put(r.name, withBytes(r.value) as Uint8Array);
    await tx.commit();
  });
  const keys = [...storage.records.keys()].sort();
  return Object.fromEntries(keys.map((k) => [k, toHex(storage.records.get(k)!)]));
}

// ---- replay --------------------------------------------------------------------------------

/** Replays a vector file against this runtime's codecs. */
export async function replay(file: VectorFile): Promise<ReplayResult> {
  const check = new Checker(file.format);
  const regenerated = await GENERATORS[file.format]();
  // The encoding direction: the same inputs give the same bytes, vector by vector.
  check.same(
    '*',
    'vector names',
    regenerated.map((v) => v.name),
    file.vectors.map((v) => v.name),
  );
  for (const [i, v] of file.vectors.entries()) {
    check.same(v.name, 'outputs', regenerated[i], v);
    await DECODERS[file.format](v, check);
    check.checked++;
  }
  return check.result();
}

type Decoder = (v: Vector, check: Checker) => Promise<void>;

/** The decoding direction: the committed bytes read back to the committed values. */
const DECODERS: Record<Format, Decoder> = {
  async credential(v, check) {
    const encoded = fromHex(v['encoded'] as string);
    if (typeof v['error'] === 'string') {
      check.same(
        v.name,
        'decode error',
        await failureOf(() => decodeCredential(encoded)),
        v['error'],
      );
      return;
    }
    const c = decodeCredential(encoded);
    check.same(v.name, 'decoded', c, {
      user: v['user'],
      domain: v['domain'],
      deviceId: v['deviceId'],
      deviceKey: fromHex(v['deviceKey'] as string),
      identityKey: fromHex(v['identityKey'] as string),
      identitySignature: fromHex(v['identitySignature'] as string),
      instanceSignature: fromHex(v['instanceSignature'] as string),
    });
    const instanceKey = fromHex(v['instanceKey'] as string);
    check.same(v.name, 'signatures', await checkCredentialSignatures(c, instanceKey), undefined);
    const other = keyFromSeed(SEED.otherInstance).publicKey;
    check.same(
      v.name,
      'another instance key',
      await checkCredentialSignatures(c, other),
      'instance signature does not verify',
    );
  },

  async envelope(v, check) {
    const codec = ENVELOPE_CODECS[v['type'] as EnvelopeType];
    const bytes = fromHex(v['encoded'] as string);
    if (typeof v['error'] === 'string') {
      check.same(v.name, 'decode error', await failureOf(() => codec.decode(bytes)), v['error']);
      return;
    }
    check.same(v.name, 'decoded', codec.decode(bytes), v['value']);
  },

  async content(v, check) {
    if (typeof v['encoded'] === 'string') {
      check.same(v.name, 'decoded', decodeContent(utf8(v['encoded'])), v['content']);
    } else {
      check.same(v.name, 'decoded', decodeContent(utf8(v['text'] as string)) ?? null, v['decoded']);
    }
  },

  async link(v, check) {
    if (typeof v['error'] === 'string') {
      const fn =
        typeof v['typed'] === 'string'
          ? () => parseLinkCode(v['typed'] as string)
          : () => parseLinkQr(v['qr'] as string);
      check.same(v.name, 'error', await failureOf(fn), v['error']);
    } else if (typeof v['sealed'] === 'string') {
      const ch = await linkChannel(v['code'] as string);
      const direction = v['direction'] as LinkDirection;
      const plain = await openLink(ch, direction, v['sealed']);
      check.same(v.name, 'opened', fromUtf8(plain), v['plaintext']);
      check.same(v.name, 'payload', decodeRecord(plain, 'link payload'), withBytes(v['payload']));
      const other: LinkDirection = direction === 'request' ? 'reply' : 'request';
      check.same(
        v.name,
        'other direction',
        await failureOf(() => openLink(ch, other, v['sealed'] as string)),
        'crypto_failed',
      );
    } else if (typeof v['qr'] === 'string') {
      check.same(v.name, 'parsed', parseLinkQr(v['qr']), { server: v['server'], code: v['code'] });
    } else {
      check.same(v.name, 'normal form', parseLinkCode(v['typed'] as string), v['code']);
    }
  },

  async safety(v, check) {
    const party = (p: unknown): Party => {
      const o = p as { address: string; identityKey: string };
      return { address: o.address, identityKey: fromHex(o.identityKey) };
    };
    const us = party(v['us']);
    const them = party(v['them']);
    check.same(v.name, 'their side', (await safetyNumber(them, us)).digits, v['digits']);
    check.same(
      v.name,
      'QR checked by them',
      await compareSafetyQr(them, us, v['qr'] as string),
      true,
    );
    check.same(
      v.name,
      'QR checked by us',
      await compareSafetyQr(us, them, v['qr'] as string),
      false,
    );
  },

  async records(v, check) {
    if (typeof v['error'] === 'string') {
      check.same(
        v.name,
        'error',
        await failureOf(() => decodeRecord(utf8(v['text'] as string), 'test')),
        v['error'],
      );
      return;
    }
    check.same(
      v.name,
      'decoded',
      decodeRecord(utf8(v['encoded'] as string), 'test'),
      withBytes(v['value']),
    );
  },

  async store(v, check) {
    const storage = new MemoryStorage();
    for (const [k, hex] of Object.entries(v['storage'] as Record<string, string>)) {
      await storage.write([[k, fromHex(hex)]]);
    }
    const store = await EncryptedStore.open(storage, v['passphrase'] as string);
    for (const r of v['records'] as Array<{ name: string; value: unknown }>) {
      check.same(v.name, `record ${r.name}`, await store.get(r.name), withBytes(r.value));
    }
    check.same(
      v.name,
      'wrong passphrase',
      await failureOf(() => EncryptedStore.open(storage, `${v['passphrase'] as string}!`)),
      'locked',
    );
  },
};
