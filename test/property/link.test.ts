/**
 * Properties of device linking's codecs (engine/devices/linkCrypto.ts): the code a person types, the
 * QR payload a camera reads, and the sealed channel the server relays without opening.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  linkChannel,
  linkQrPayload,
  newLinkCode,
  openLink,
  parseLinkCode,
  parseLinkQr,
  sealLink,
  type LinkDirection,
} from '../../src/shared/engine/devices/linkCrypto.ts';
import { fromBase64Url, toBase64Url } from '../../src/shared/protocol/bytes.ts';
import { anyString, mutated, onlyFails, onlyFailsAsync, runs } from './support.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_RE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

const code = fc
  .string({ unit: fc.constantFrom(...ALPHABET), minLength: 16, maxLength: 16 })
  .map((raw) => raw.match(/.{4}/g)!.join('-'));

/** The ways a person may type a code: case, spacing, dashes, and the look-alikes. */
function typed(c: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.boolean(), fc.constantFrom('', '-', ' ', '  ', ' - '), fc.boolean())
    .map(([lowerCase, sep, lookAlikes]) => {
      let t = c.split('-').join(sep);
      if (lookAlikes) t = t.replace(/1/g, 'l').replace(/0/g, 'O');
      return lowerCase ? t.toLowerCase() : t;
    });
}

const direction = fc.constantFrom<LinkDirection>('request', 'reply');

test('new codes parse to themselves; every typed form of a code parses to the code', () => {
  for (let i = 0; i < 50; i++) {
    const c = newLinkCode();
    assert.match(c, CODE_RE);
    assert.equal(parseLinkCode(c), c);
  }
  fc.assert(
    fc.property(
      code.chain((c) => fc.tuple(fc.constant(c), typed(c))),
      ([c, t]) => {
        assert.equal(parseLinkCode(t), c);
      },
    ),
    runs(500),
  );
});

test('parsing any text fails only with usage, or gives a well-formed code', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        anyString,
        code.map((c) => c + 'X'),
        code.map((c) => c.slice(1)),
      ),
      (t) => {
        const c = onlyFails(() => parseLinkCode(t), ['usage']);
        if (c !== undefined) assert.match(c, CODE_RE);
      },
    ),
    runs(1000),
  );
});

test('the channel depends on the code only, and different codes give different channels', async () => {
  await fc.assert(
    fc.asyncProperty(
      code.chain((c) => fc.tuple(fc.constant(c), typed(c))),
      code,
      async ([c, t], other) => {
        const a = await linkChannel(c);
        const b = await linkChannel(t);
        assert.equal(a.code, c);
        assert.equal(b.rid, a.rid);
        assert.deepEqual(b.key, a.key);
        assert.equal(fromBase64Url(a.rid)?.length, 32);
        if (other !== c) assert.notEqual((await linkChannel(other)).rid, a.rid);
      },
    ),
    runs(100),
  );
});

test('sealed payloads open with the same code and direction only', async () => {
  await fc.assert(
    fc.asyncProperty(
      code,
      code,
      direction,
      fc.uint8Array({ maxLength: 2000 }),
      async (c, other, dir, plain) => {
        const ch = await linkChannel(c);
        const sealed = await sealLink(ch, dir, plain);
        assert.deepEqual(await openLink(ch, dir, sealed), plain);
        const back: LinkDirection = dir === 'request' ? 'reply' : 'request';
        await assert.rejects(openLink(ch, back, sealed), { code: 'crypto_failed' });
        if (other !== c) {
          await assert.rejects(openLink(await linkChannel(other), dir, sealed), {
            code: 'crypto_failed',
          });
        }
      },
    ),
    runs(100),
  );
});

test('a damaged or arbitrary sealed payload fails only with crypto_failed', async () => {
  const ch = await linkChannel(newLinkCode());
  const valid = fromBase64Url(await sealLink(ch, 'request', new Uint8Array(40)))!;
  await fc.assert(
    fc.asyncProperty(mutated(valid), async (bytes) => {
      await assert.rejects(openLink(ch, 'request', toBase64Url(bytes)), { code: 'crypto_failed' });
    }),
    runs(300),
  );
  await fc.assert(
    fc.asyncProperty(anyString, async (text) => {
      await onlyFailsAsync(() => openLink(ch, 'reply', text), ['crypto_failed']);
    }),
    runs(300),
  );
});

test('payloads up to the relay bound seal and open; larger ones are refused', async () => {
  const ch = await linkChannel(newLinkCode());
  const largest = new Uint8Array(64 * 1024 - 12 - 16);
  assert.equal(
    (await openLink(ch, 'reply', await sealLink(ch, 'reply', largest))).length,
    largest.length,
  );
  const sealed = await sealLink(ch, 'reply', new Uint8Array(largest.length + 1));
  await assert.rejects(openLink(ch, 'reply', sealed), { code: 'crypto_failed' });
});

test('QR payloads round-trip for any server text, and reading any text fails only with usage', () => {
  const server = fc.oneof(fc.webUrl(), anyString);
  fc.assert(
    fc.property(server, code, (s, c) => {
      assert.deepEqual({ ...parseLinkQr(linkQrPayload(s, c)) }, { server: s, code: c });
    }),
    runs(500),
  );
  fc.assert(
    fc.property(
      fc.oneof(
        anyString,
        fc.tuple(server, anyString).map(([s, t]) => `foyer-link:1:${s}#${t}`),
      ),
      (text) => {
        const r = onlyFails(() => parseLinkQr(text), ['usage']);
        if (r !== undefined) assert.match(r.code, CODE_RE);
      },
    ),
    runs(1000),
  );
});
