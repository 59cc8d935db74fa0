/**
 * The words a person reads for each federation failure: which instance, whose side refused,
 * and what to do; an error without the instance in its details, and every other code, is
 * shown as the server said it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { federationSentence, forPerson } from './federationWords.ts';

const D = 'chez-bob.example';

test('each federation code has its sentence, naming the instance', () => {
  assert.equal(
    federationSentence(
      new FoyerError('peer_unreachable', 'x', { domain: D, reason: 'network: EHOSTUNREACH' }),
    ),
    `your server cannot reach ${D} at the moment (network: EHOSTUNREACH); try again later`,
  );
  assert.equal(
    federationSentence(new FoyerError('federation_denied', 'x', { domain: D, deniedBy: 'peer' })),
    `${D} refuses contact with your server: its administrator denied it`,
  );
  assert.equal(
    federationSentence(new FoyerError('federation_denied', 'x', { domain: D, deniedBy: 'self' })),
    `your server's administrator does not allow contact with ${D} (on the server, \`foyer federation allow ${D}\` lifts it)`,
  );
  assert.match(
    federationSentence(new FoyerError('peer_key_changed', 'x', { domain: D }))!,
    /^chez-bob\.example now shows another instance key/,
  );
});

test('without an instance, or for another code, the error is shown as it is', () => {
  const bare = new FoyerError('peer_unreachable', 'as the server said');
  assert.equal(forPerson(bare), bare);
  const other = new FoyerError('not_found', 'no user nobody at chez-bob.example', { domain: D });
  assert.equal(forPerson(other), other);
  const worded = forPerson(new FoyerError('federation_denied', 'x', { domain: D }));
  assert.ok(worded instanceof FoyerError);
  assert.deepEqual([worded.code, worded.details], ['federation_denied', { domain: D }]);
  assert.match(worded.message, /^your server's administrator/);
});
