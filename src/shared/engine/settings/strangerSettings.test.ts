/**
 * The account settings come only from this user's own devices, in a group of nobody else
 * (sync/application.ts): a `settings` message a stranger sends in a shared conversation is
 * ignored — it neither removes the receiver's conversations nor changes their blocks, nor
 * makes that conversation an account channel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeServer, registerClient } from '../testing/household.ts';
import { enqueue } from '../outbox/outbox.ts';
import { newMessageId } from '../core/ids.ts';

test("a stranger's settings message in a shared conversation changes nothing of the receiver's", async () => {
  const server = await fakeServer();
  const alice = await registerClient(server, 'alice');
  const bob = await registerClient(server, 'bob');
  const group = await alice.engine.createGroup('home', ['bob']);
  await bob.engine.sync();
  const bobDevice = bob.engine.whoami().deviceId;
  await bob.engine.run(async (ctx) => {
    const tx = ctx.store.tx();
    await enqueue(ctx, tx, group.id, newMessageId(), {
      t: 'settings',
      settings: {
        removed: [group.id],
        blocks: { 'carol@maison.example': { blocked: true, clock: 9, device: bobDevice } },
      },
    });
    await tx.commit();
  });
  await bob.engine.flush();
  await alice.engine.sync();
  const view = await alice.engine.conversation(group.id);
  assert.equal(view.status, 'active');
  assert.ok((await alice.engine.conversations()).some((c) => c.id === group.id));
  assert.deepEqual(await alice.engine.blocked(), []);
  // Still a conversation with Bob: his texts arrive.
  await bob.engine.send(group.id, 'still here');
  await alice.engine.sync();
  assert.equal((await alice.engine.messages(group.id)).at(-1)?.text, 'still here');
});
