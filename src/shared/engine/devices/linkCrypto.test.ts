import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  linkChannel,
  linkQrPayload,
  newLinkCode,
  openLink,
  parseLinkCode,
  parseLinkQr,
  sealLink,
} from './linkCrypto.ts';
import { fromUtf8, utf8 } from '../../protocol/bytes.ts';

test('a new code has 16 characters in groups of four and parses back to itself', () => {
  const code = newLinkCode();
  assert.match(code, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
  assert.equal(parseLinkCode(code), code);
  assert.notEqual(newLinkCode(), code);
});

test('typing variations give the same channel; another code gives another one', async () => {
  const code = '0123-4567-89AB-CDEF';
  const a = await linkChannel(code);
  const b = await linkChannel(' 0i23 4567 89ab cdef ');
  assert.equal(a.rid, b.rid);
  assert.deepEqual(a.key, b.key);
  const c = await linkChannel('0123-4567-89AB-CDEG');
  assert.notEqual(a.rid, c.rid);
  assert.notDeepEqual(a.key, c.key);
  assert.notDeepEqual(utf8(a.rid), a.key);
});

test('malformed codes are refused', () => {
  assert.throws(() => parseLinkCode('ABCD-EFGH'), { code: 'usage' });
  assert.throws(() => parseLinkCode('ABCD-EFGH-JKMN-PQR!'), { code: 'usage' });
});

test('sealed payloads open only with the same code and direction', async () => {
  const ch = await linkChannel(newLinkCode());
  const sealed = await sealLink(ch, 'request', utf8('device key'));
  assert.equal(fromUtf8(await openLink(ch, 'request', sealed)), 'device key');
  await assert.rejects(openLink(ch, 'reply', sealed), { code: 'crypto_failed' });
  await assert.rejects(openLink(await linkChannel(newLinkCode()), 'request', sealed), {
    code: 'crypto_failed',
  });
  await assert.rejects(openLink(ch, 'request', 'AAAA'), { code: 'crypto_failed' });
});

test('the QR payload carries server and code', () => {
  const code = newLinkCode();
  const parsed = parseLinkQr(linkQrPayload('http://127.0.0.1:8080', code));
  assert.deepEqual(parsed, { server: 'http://127.0.0.1:8080', code });
  assert.throws(() => parseLinkQr('http://x#y'), { code: 'usage' });
});
