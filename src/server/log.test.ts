import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, redact } from './log.ts';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

test('logs are JSON lines at the configured level, with secrets censored', () => {
  const out = capture();
  const log = createLogger({ logLevel: 'info' }, out.stream);
  log.debug('hidden');
  log.info({ token: 'tok-123', passphrase: 'pp' }, 'shown');
  const lines = out.lines();
  assert.equal(lines.length, 1);
  assert.equal(lines[0]?.msg, 'shown');
  assert.equal(lines[0]?.token, '[redacted]');
  assert.equal(lines[0]?.passphrase, '[redacted]');
  assert.equal(lines[0]?.service, 'foyer');
});

test('redact hides identifiers unless logIdentifiers is on', () => {
  const hidden = redact('alice', { logIdentifiers: false });
  assert.match(hidden, /^h:[A-Za-z0-9_-]{12}$/);
  assert.equal(hidden.includes('alice'), false);
  assert.equal(redact('alice', { logIdentifiers: false }), hidden, 'stable within a run');
  assert.notEqual(redact('bob', { logIdentifiers: false }), hidden);
  assert.equal(redact('alice', { logIdentifiers: true }), 'alice');
});
