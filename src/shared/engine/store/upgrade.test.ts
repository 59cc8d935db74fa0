import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findMessage } from '../conversations/conversationStore.ts';
import { fakeServer, registerClient } from '../testing/household.ts';
import { rec, type ConversationRecord, type MessageRecord } from './model.ts';

test('records stored with bare names (version 1) read back as addresses of this instance', async () => {
  const server = await fakeServer();
  const alice = await registerClient(server, 'alice');
  const bob = await registerClient(server, 'bob');
  const conv = await alice.engine.openDirect('bob');
  const sent = await alice.engine.send(conv.id, 'hi');
  await bob.engine.sync();
  await bob.engine.markRead(conv.id);
  await alice.engine.sync();
  // Rewrite both records as an earlier Foyer stored them.
  await alice.engine.run(async (ctx) => {
    const c = (await ctx.store.getRecord<ConversationRecord>(rec.conversation(conv.id), 'c', 2))!;
    const m = (await ctx.store.getRecord<MessageRecord>(rec.message(conv.id, sent.id), 'm', 2))!;
    assert.deepEqual(m.readBy, ['bob@maison.example']);
    await ctx.store
      .tx()
      .putRecord(rec.conversation(conv.id), { ...c, v: 1, peer: 'bob', members: ['bob', 'alice'] })
      .putRecord(rec.message(conv.id, sent.id), { ...m, v: 1, readBy: ['bob'] })
      .commit();
  });
  const upgraded = await alice.engine.conversation(conv.id);
  assert.equal(upgraded.peer, 'bob@maison.example');
  assert.deepEqual(upgraded.members, ['alice@maison.example', 'bob@maison.example']);
  assert.equal((await alice.engine.openDirect('bob')).id, conv.id, 'the upgraded peer is found');
  const m = await alice.engine.run((ctx) => findMessage(ctx.store, conv.id, sent.id));
  assert.equal(m?.v, 2);
  assert.deepEqual(m?.readBy, ['bob@maison.example']);
});
