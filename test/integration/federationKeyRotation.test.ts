/**
 * Instance key rotation between two real instances on loopback: `chez-bob.example` rotates its
 * key with `foyer federation rotate-key` while it runs. Its server signs with the new key at
 * once; `maison.example`, which had pinned the old key, follows the rotation statement signed
 * by the old key and re-pins; clients follow it through their own server. Alice (maison) keeps
 * exchanging messages with Bob (registered before the rotation, his credential signed by the
 * old key) in the existing group and in new ones, hubbed on either side, and with Bea
 * (registered after, signed by the new key). A peer whose discovery document shows a rotation
 * its pinned key did not sign stays refused (`peer_key_changed`), its pin unchanged.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes as nodeRandomBytes, sign as nodeSign } from 'node:crypto';
import { ApiDevice } from '../helpers/apiDevice.ts';
import { removeDir, runFoyer, startServerProcess, type ServerProcess } from '../helpers/server.ts';
import { clientTrust, freePort, StandInPeer } from '../helpers/federation.ts';
import { within } from '../helpers/fedMember.ts';
import { addMembers, createGroup, type Group } from '../../src/shared/mls/group.ts';
import {
  encryptMessage,
  joinFromWelcome,
  welcomeKeyPackageRefs,
} from '../../src/shared/mls/group.ts';
import { processMessage } from '../../src/shared/mls/group.ts';
import {
  fromBase64Url,
  fromUtf8,
  randomBytes,
  toBase64Url,
  utf8,
} from '../../src/shared/protocol/bytes.ts';
import type { ClaimedKeyPackages, InstanceInfo, WellKnown } from '../../src/shared/protocol/api.ts';
import { keyPairFromSeed, signerOf, signRequest } from '../../src/server/federation/signature.ts';
import { rotationSignatureInput, rotationToJson } from '../../src/shared/protocol/keyRotation.ts';

const A = 'maison.example';
const B = 'chez-bob.example';
const MALLORY = 'mallory.example';
const WAIT_MS = 30_000;
const msgId = (): string => toBase64Url(randomBytes(16));

/** A device with its groups, reading its mailbox in order. */
class Person {
  readonly device: ApiDevice;
  readonly groups = new Map<string, Group>();
  private after = 0;

  constructor(device: ApiDevice, domain: string) {
    this.device = device;
    device.trust = clientTrust(device, domain);
  }

  get address(): string {
    return `${this.device.name}@${new URL(this.device.url).hostname}`;
  }

  /** A group hubbed on this person's instance. */
  async createGroup(): Promise<string> {
    const id = randomBytes(16);
    const gid = toBase64Url(id);
    const r = await this.device.call('POST', '/api/v1/groups', { groupId: gid });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    this.groups.set(gid, await createGroup(id, this.device.keys, { trust: this.device.trust }));
    return gid;
  }

  /** Adds the devices of `people` (`user@domain`), claiming through this person's server. */
  async add(gid: string, people: string[]): Promise<void> {
    const kps: Uint8Array[] = [];
    for (const p of people) {
      const c = await this.device.call<ClaimedKeyPackages>(
        'POST',
        `/api/v1/users/${encodeURIComponent(p)}/keypackages`,
      );
      assert.equal(c.status, 200, JSON.stringify(c.body));
      for (const k of c.body.keyPackages) kps.push(fromBase64Url(k.keyPackage)!);
    }
    const out = await addMembers(this.groups.get(gid)!, kps, { trust: this.device.trust });
    const r = await this.device.call('POST', `/api/v1/groups/${gid}/messages`, {
      id: msgId(),
      message: toBase64Url(out.commit),
      welcome: toBase64Url(out.welcome),
      groupInfo: toBase64Url(out.groupInfo),
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    this.groups.set(gid, out.group);
  }

  async send(gid: string, text: string): Promise<void> {
    const out = await encryptMessage(this.groups.get(gid)!, utf8(text), {
      trust: this.device.trust,
    });
    this.groups.set(gid, out.group);
    const r = await this.device.call('POST', `/api/v1/groups/${gid}/messages`, {
      id: msgId(),
      message: toBase64Url(out.message),
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }

  /**
   * The next `n` Welcomes and messages (statuses skipped), processed in order: a Welcome is
   * joined (`welcome`), a message decrypted (its text; a commit gives `commit`).
   */
  async take(n: number): Promise<string[]> {
    const socket = await this.device.socket(this.after);
    try {
      const content = () => socket.items().filter((i) => i.kind !== 'status');
      await within(
        WAIT_MS,
        `${n} items for ${this.device.name}`,
        (async () => {
          while (content().length < n) await socket.next(() => content().length >= n);
        })(),
      );
      const out: string[] = [];
      const taken = content().slice(0, n);
      for (const item of taken) {
        const bytes = fromBase64Url(item.payload)!;
        if (item.kind === 'welcome') {
          const g = await joinFromWelcome(
            bytes,
            this.device.keyPackageFor(welcomeKeyPackageRefs(bytes)),
            { trust: this.device.trust },
          );
          this.groups.set(item.groupId, g);
          out.push('welcome');
          continue;
        }
        const p = await processMessage(this.groups.get(item.groupId)!, bytes, {
          trust: this.device.trust,
        });
        this.groups.set(item.groupId, p.group);
        out.push(p.kind === 'application' ? (fromUtf8(p.plaintext) ?? '') : p.kind);
      }
      this.after = taken.at(-1)!.seq;
      const ack = await this.device.call('POST', '/api/v1/mailbox/ack', { upTo: this.after });
      assert.equal(ack.status, 200);
      return out;
    } finally {
      socket.close();
    }
  }
}

describe('instance key rotation between two real instances', () => {
  let home: ServerProcess;
  let bobs: ServerProcess;
  let alice: Person;
  let bob: Person;
  let bea: Person;
  let oldKeyB: Uint8Array;
  let newKeyB: Uint8Array;
  let g1 = '';
  const mallory = new StandInPeer(MALLORY, keyPairFromSeed(nodeRandomBytes(32)));

  before(async () => {
    await mallory.start();
    const [portA, portB] = [await freePort(), await freePort()];
    home = await startServerProcess({
      args: [
        ...['--domain', A, '--port', String(portA)],
        ...['--federation-peers', `${B}=http://127.0.0.1:${portB},${MALLORY}=${mallory.url}`],
      ],
    });
    bobs = await startServerProcess({
      args: [
        ...['--domain', B, '--port', String(portB)],
        ...['--federation-peers', `${A}=http://127.0.0.1:${portA}`],
      ],
    });
    alice = new Person(await ApiDevice.register(home.url, home.adminInvite, 'alice'), A);
    bob = new Person(await ApiDevice.register(bobs.url, bobs.adminInvite, 'bob'), B);
    oldKeyB = bob.device.instanceKey;
  });

  after(async () => {
    await home.stop();
    await bobs.stop();
    await mallory.stop();
    removeDir(home.dataDir);
    removeDir(bobs.dataDir);
  });

  async function wellKnown(s: ServerProcess): Promise<WellKnown> {
    return (await (await fetch(`${s.url}/.well-known/foyer`)).json()) as WellKnown;
  }

  async function pinnedAtHome(domain: string): Promise<string | null> {
    const r = await runFoyer(['federation', 'list', '--data', home.dataDir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const { peers } = JSON.parse(r.stdout) as { peers: Array<{ domain: string; key: string }> };
    return peers.find((p) => p.domain === domain)?.key ?? null;
  }

  test('before the rotation: a group on maison with Bob, messages both ways', async () => {
    assert.equal((await bob.device.uploadKeyPackages(3)).status, 200);
    g1 = await alice.createGroup();
    await alice.add(g1, [`bob@${B}`]);
    assert.deepEqual(await bob.take(1), ['welcome']);
    await alice.send(g1, 'hello before');
    assert.deepEqual(await bob.take(1), ['hello before']);
    await bob.send(g1, 'reply before');
    assert.deepEqual(await alice.take(1), ['reply before']);
    assert.equal(await pinnedAtHome(B), toBase64Url(oldKeyB));
    assert.deepEqual(await alice.device.trust.instanceKeys(B), [oldKeyB]);
  });

  test('chez-bob rotates its key while running: discovery shows the new key and the signed chain', async () => {
    const r = await runFoyer(['federation', 'rotate-key', '--data', bobs.dataDir, '--json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = JSON.parse(r.stdout) as { oldKey: string; newKey: string; at: number };
    assert.equal(out.oldKey, toBase64Url(oldKeyB));
    newKeyB = fromBase64Url(out.newKey)!;
    const wk = await wellKnown(bobs);
    assert.equal(wk.instanceKey, out.newKey);
    assert.equal(wk.rotations?.length, 1);
    assert.deepEqual(wk.rotations?.[0], {
      old: out.oldKey,
      new: out.newKey,
      at: out.at,
      signature: wk.rotations?.[0]?.signature,
    });
    // Bob's own server now answers with the new key and the chain from the old one.
    const own = await bob.device.call<InstanceInfo>('GET', `/api/v1/instances/${B}`);
    assert.equal(own.body.instanceKey, out.newKey);
    assert.equal(own.body.rotations?.length, 1);
  });

  test('a new group hubbed on chez-bob reaches maison, signed with the new key: maison re-pins', async () => {
    assert.equal((await alice.device.uploadKeyPackages(2)).status, 200);
    const g2 = await bob.createGroup();
    await bob.add(g2, [`alice@${A}`]);
    // The Welcome crosses in an inbox batch signed with the new key: maison follows the
    // rotation and accepts it.
    assert.deepEqual(await alice.take(1), ['welcome']);
    assert.equal(await pinnedAtHome(B), toBase64Url(newKeyB));
    await bob.send(g2, 'in a new group');
    assert.deepEqual(await alice.take(1), ['in a new group']);
    await alice.send(g2, 'answer in the new group');
    assert.deepEqual(await bob.take(1), ['answer in the new group']);
  });

  test('the existing group keeps working both ways', async () => {
    await bob.send(g1, 'after the rotation');
    assert.deepEqual(await alice.take(1), ['after the rotation']);
    await alice.send(g1, 'still here');
    assert.deepEqual(await bob.take(1), ['still here']);
  });

  test("a user registered after the rotation joins with Bob's older credential", async () => {
    bea = new Person(await ApiDevice.register(bobs.url, await bobs.invite(), 'bea'), B);
    assert.deepEqual(bea.device.instanceKey, newKeyB);
    assert.equal((await bea.device.uploadKeyPackages(2)).status, 200);
    // Alice's client knows only the old key of chez-bob: Bea's credential (new key) makes it
    // ask its server again and follow the rotation.
    assert.deepEqual(await alice.device.trust.instanceKeys(B), [oldKeyB]);
    await alice.add(g1, [`bea@${B}`]);
    assert.deepEqual(await alice.device.trust.instanceKeys(B), [oldKeyB, newKeyB]);
    assert.deepEqual(await bob.take(1), ['commit']);
    // Bea's client pinned the new key at registration; the group's tree holds Bob's leaf,
    // signed by the old key: her client takes the earlier key of her own instance's chain.
    assert.deepEqual(await bea.take(1), ['welcome']);
    assert.deepEqual(await bea.device.trust.instanceKeys(B), [oldKeyB, newKeyB]);
    await bea.send(g1, 'hi from bea');
    assert.deepEqual(await alice.take(1), ['hi from bea']);
    assert.deepEqual(await bob.take(1), ['hi from bea']);
    // What maison gives its clients about chez-bob: the new key and the rotation it followed.
    const seen = await alice.device.call<InstanceInfo>('GET', `/api/v1/instances/${B}`);
    assert.equal(seen.body.instanceKey, toBase64Url(newKeyB));
    assert.equal(seen.body.rotations?.[0]?.old, toBase64Url(oldKeyB));
  });

  test('a rotation not signed by the pinned key is refused with peer_key_changed', async () => {
    // Mallory's first signed request pins its key at maison.
    const call = async (key: StandInPeer['key']) => {
      const path = '/federation/v1/users/alice';
      const headers = signRequest({
        method: 'GET',
        origin: MALLORY,
        target: A,
        path,
        body: new Uint8Array(),
        signer: signerOf(key.privateKey),
        nowSeconds: Math.floor(Date.now() / 1000),
      });
      const res = await fetch(`${home.url}${path}`, { headers: { ...headers } });
      return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
    };
    const pinned = mallory.key;
    assert.equal((await call(pinned)).status, 200);
    assert.equal(await pinnedAtHome(MALLORY), toBase64Url(pinned.publicKey));

    // Mallory (or whoever took over its address) shows a new key with a statement "pinned →
    // new" signed by the new key itself, not by the pinned one.
    const usurper = keyPairFromSeed(nodeRandomBytes(32));
    const statement = { oldKey: pinned.publicKey, newKey: usurper.publicKey, at: Date.now() };
    mallory.key = usurper;
    mallory.rotations = [
      rotationToJson({
        ...statement,
        signature: new Uint8Array(
          nodeSign(null, rotationSignatureInput(statement), usurper.privateKey),
        ),
      }),
    ];
    const refused = await call(usurper);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error?.code, 'peer_key_changed');
    assert.equal(await pinnedAtHome(MALLORY), toBase64Url(pinned.publicKey));
    // Clients of maison are still given the pinned key, with no rotation.
    const seen = await alice.device.call<InstanceInfo>('GET', `/api/v1/instances/${MALLORY}`);
    assert.equal(seen.body.instanceKey, toBase64Url(pinned.publicKey));
    assert.deepEqual(seen.body.rotations, []);
    // The real peer keeps being served meanwhile.
    await bob.send(g1, 'unaffected');
    assert.deepEqual(await alice.take(1), ['unaffected']);
  });
});
