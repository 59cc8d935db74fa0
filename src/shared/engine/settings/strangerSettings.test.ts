/**
 * The account settings come only from this user's own devices, in a group of nobody else
 * (sync/application.ts): a `settings` message a stranger sends in a shared conversation is
 * ignored — it neither removes the receiver's conversations nor changes their blocks, nor
 * makes that conversation an account channel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine.ts';
import { MemoryStorage } from '../store/storage.ts';
import { FAST_KDF, fakeServer, registerClient } from '../testing/household.ts';
import { enqueue } from '../outbox/outbox.ts';
import { newMessageId } from '../core/ids.ts';

/** `engine` sends `removed` as a settings snapshot in `conversationId` (never done honestly). */
async function sendSettings(engine: Engine, conversationId: string, removed: string[]) {
  await engine.run(async (ctx) => {
    const tx = ctx.store.tx();
    await enqueue(ctx, tx, conversationId, newMessageId(), {
      t: 'settings',
      settings: { removed, blocks: {} },
    });
    await tx.commit();
  });
  await engine.flush();
}

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

test("the user's own device speaks for the account only in a group of nobody else", async () => {
  const server = await fakeServer();
  const alice = await registerClient(server, 'alice');
  await registerClient(server, 'bob');
  const group = await alice.engine.createGroup('home', ['bob']);
  let approval: Promise<unknown> | undefined;
  const laptop = await Engine.link(
    new MemoryStorage(),
    'pw',
    'http://fake.invalid',
    (code) => {
      approval = alice.engine.approveLink(code, 0);
    },
    { kdf: FAST_KDF, transport: () => server.transport() },
  );
  await approval;
  // The phone adds the laptop to "home" once it has key packages.
  await alice.engine.sync();
  await laptop.sync();
  assert.equal((await laptop.conversation(group.id)).status, 'active');
  // A snapshot sent where Bob is a member is not the account's: the laptop ignores it.
  await sendSettings(alice.engine, group.id, [group.id]);
  await laptop.sync();
  assert.equal((await laptop.conversation(group.id)).status, 'active');
  assert.ok((await laptop.conversations()).some((c) => c.id === group.id));
  await laptop.close();
});
