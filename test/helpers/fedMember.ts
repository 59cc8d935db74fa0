/**
 * A group member for federation tests: a device on one instance (the API-level test driver)
 * with its MLS state, which sends to the group and reads its mailbox in order, decrypting,
 * and records every message id it was given so that a duplicate fails the test.
 */
import assert from 'node:assert/strict';
import { ApiDevice } from './apiDevice.ts';
import {
  addMembers,
  createGroup,
  encryptMessage,
  joinFromWelcome,
  membersOf,
  processMessage,
  removeMembers,
  selfUpdate,
  welcomeKeyPackageRefs,
  type Group,
} from '../../src/shared/mls/group.ts';
import {
  fromBase64Url,
  fromUtf8,
  randomBytes,
  toBase64Url,
  utf8,
} from '../../src/shared/protocol/bytes.ts';
import type { TrustStore } from '../../src/shared/mls/trust.ts';
import type {
  ClaimedKeyPackages,
  DeliveryStatus,
  MailboxItem,
} from '../../src/shared/protocol/api.ts';

/** Rejects with `what` if `p` has not settled within `ms` (a failing test, not a hang). */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export class Member {
  readonly device: ApiDevice;
  group: Group | undefined;
  gid = '';
  /** Message ids received so far (a second one is a duplicate). */
  private readonly seen = new Set<string>();
  /** The highest mailbox sequence read and acknowledged. */
  private after = 0;
  /** Delivery statuses taken with the items read (for this member's own messages). */
  readonly statuses: DeliveryStatus[] = [];

  /** Another user on the same instance, who claims this member's key packages. */
  private readonly neighbour: ApiDevice;

  private constructor(device: ApiDevice, neighbour: ApiDevice) {
    this.device = device;
    this.neighbour = neighbour;
  }

  /** Registers `name` with `invite`, and a neighbour with `neighbourInvite`. */
  static async register(
    url: string,
    invites: [string, string],
    name: string,
    trust: TrustStore,
  ): Promise<Member> {
    const device = await ApiDevice.register(url, invites[0], name);
    device.trust = trust;
    return new Member(device, await ApiDevice.register(url, invites[1], `${name}-neighbour`));
  }

  /** Creates the group (this member's instance is its hub). */
  async createGroup(): Promise<void> {
    const id = randomBytes(16);
    this.gid = toBase64Url(id);
    const r = await this.device.call('POST', '/api/v1/groups', { groupId: this.gid });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    this.group = await createGroup(id, this.device.keys, { trust: this.device.trust });
  }

  /**
   * Adds `others` (their key packages are handed over by the test: claims across instances
   * go through each one's own instance).
   */
  async add(others: Member[]): Promise<void> {
    const kps: Uint8Array[] = [];
    for (const o of others) kps.push(await o.keyPackageClaimedLocally());
    const out = await addMembers(this.group!, kps, { trust: this.device.trust });
    const r = await this.device.call('POST', `/api/v1/groups/${this.gid}/messages`, {
      id: toBase64Url(randomBytes(16)),
      message: toBase64Url(out.commit),
      welcome: toBase64Url(out.welcome),
      groupInfo: toBase64Url(out.groupInfo),
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    this.group = out.group;
    for (const o of others) o.gid = this.gid;
  }

  /**
   * One of this member's key packages, uploaded and claimed by a neighbour on its own instance
   * (a device does not claim its own user's packages).
   */
  private async keyPackageClaimedLocally(): Promise<Uint8Array> {
    assert.equal((await this.device.uploadKeyPackages(1)).status, 200);
    const c = await this.neighbour.call<ClaimedKeyPackages>(
      'POST',
      `/api/v1/users/${this.device.name}/keypackages`,
    );
    assert.equal(c.status, 200, JSON.stringify(c.body));
    return fromBase64Url(c.body.keyPackages[0]!.keyPackage)!;
  }

  /** Waits for the Welcome and joins. */
  async join(timeoutMs: number): Promise<void> {
    const [w] = await this.items(1, timeoutMs);
    assert.equal(w!.kind, 'welcome');
    const welcome = fromBase64Url(w!.payload)!;
    this.group = await joinFromWelcome(
      welcome,
      this.device.keyPackageFor(welcomeKeyPackageRefs(welcome)),
      { trust: this.device.trust },
    );
  }

  /** Encrypts and submits `text`; resolves once the hub acknowledged it. */
  async send(text: string): Promise<string> {
    const out = await encryptMessage(this.group!, utf8(text), { trust: this.device.trust });
    this.group = out.group;
    const id = toBase64Url(randomBytes(16));
    const r = await this.device.call('POST', `/api/v1/groups/${this.gid}/messages`, {
      id,
      message: toBase64Url(out.message),
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return id;
  }

  /** The next `n` texts, in mailbox order, decrypted; fails on a duplicate message id. */
  async read(n: number, timeoutMs: number): Promise<string[]> {
    const texts: string[] = [];
    for (const item of await this.items(n, timeoutMs)) {
      const p = await processMessage(this.group!, fromBase64Url(item.payload)!, {
        trust: this.device.trust,
      });
      this.group = p.group;
      if (p.kind === 'application') texts.push(fromUtf8(p.plaintext) ?? '');
    }
    return texts;
  }

  /** The next `n` items' raw payloads, not processed (items a test planted). */
  async takeRaw(n: number, timeoutMs: number): Promise<string[]> {
    return (await this.items(n, timeoutMs)).map((i) =>
      Buffer.from(i.payload, 'base64url').toString(),
    );
  }

  /** No message or Welcome more in the mailbox (after what was read). */
  async assertNothingMore(): Promise<void> {
    const more = (await this.device.mailbox(this.after)).filter((i) => i.kind !== 'status');
    assert.deepEqual(more, []);
  }

  /** Encrypts `text` now, to submit later (as a client's outbox does). */
  async prepare(text: string): Promise<{ id: string; message: string }> {
    const out = await encryptMessage(this.group!, utf8(text), { trust: this.device.trust });
    this.group = out.group;
    return { id: toBase64Url(randomBytes(16)), message: toBase64Url(out.message) };
  }

  /** Submits a prepared message; never throws on a refusal. */
  submit(prepared: { id: string; message: string }) {
    return this.device.call<{ error?: { code: string } }>(
      'POST',
      `/api/v1/groups/${this.gid}/messages`,
      prepared,
    );
  }

  /** Commits the removal of `others` and adopts it once the hub accepted it. */
  async remove(others: Member[]): Promise<void> {
    const leaves = membersOf(this.group!)
      .filter((m) =>
        others.some(
          (o) => o.device.id === m.credential.deviceId && o.device.name === m.credential.user,
        ),
      )
      .map((m) => m.leaf);
    assert.equal(leaves.length, others.length);
    const out = await removeMembers(this.group!, leaves, { trust: this.device.trust });
    const r = await this.device.call('POST', `/api/v1/groups/${this.gid}/messages`, {
      id: toBase64Url(randomBytes(16)),
      message: toBase64Url(out.commit),
      groupInfo: toBase64Url(out.groupInfo),
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    this.group = out.group;
  }

  /** Submits a self-update commit and adopts it only if the hub accepted it; never throws. */
  async trySelfUpdate() {
    const out = await selfUpdate(this.group!, { trust: this.device.trust });
    const r = await this.device.call<{ error?: { code: string } }>(
      'POST',
      `/api/v1/groups/${this.gid}/messages`,
      {
        id: toBase64Url(randomBytes(16)),
        message: toBase64Url(out.commit),
        groupInfo: toBase64Url(out.groupInfo),
      },
    );
    if (r.status === 200) this.group = out.group;
    return r;
  }

  /** Commits a self-update (a new epoch) and adopts it once the hub accepted it. */
  async selfUpdate(): Promise<void> {
    const out = await selfUpdate(this.group!, { trust: this.device.trust });
    const r = await this.device.call('POST', `/api/v1/groups/${this.gid}/messages`, {
      id: toBase64Url(randomBytes(16)),
      message: toBase64Url(out.commit),
      groupInfo: toBase64Url(out.groupInfo),
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    this.group = out.group;
  }

  /**
   * The next `n` mailbox items other than delivery statuses, pushed over the socket, and the
   * statuses among them (kept in {@link statuses}); acknowledged once taken.
   */
  private async items(n: number, timeoutMs: number): Promise<MailboxItem[]> {
    const socket = await this.device.socket(this.after);
    try {
      const content = (): MailboxItem[] => socket.items().filter((i) => i.kind !== 'status');
      const enough = (): boolean => content().length >= n;
      await within(
        timeoutMs,
        `${n} items for ${this.device.name}`,
        (async () => {
          while (!enough()) await socket.next(() => enough());
        })(),
      );
      const taken = content().slice(0, n);
      const upTo = taken.at(-1)!.seq;
      for (const i of socket.items()) {
        if (i.kind === 'status' && i.seq <= upTo) this.statuses.push(JSON.parse(b64(i.payload)));
      }
      for (const i of taken) {
        assert.ok(!this.seen.has(i.id), `message ${i.id} delivered twice to ${this.device.name}`);
        this.seen.add(i.id);
      }
      this.after = upTo;
      const ack = await this.device.call('POST', '/api/v1/mailbox/ack', { upTo });
      assert.equal(ack.status, 200, JSON.stringify(ack.body));
      return taken;
    } finally {
      socket.close();
    }
  }

  /** Waits for the delivery status of message `id` in `state`, taking the items before it. */
  async status(id: string, state: DeliveryStatus['state'], timeoutMs: number) {
    const socket = await this.device.socket(this.after);
    try {
      const find = (): MailboxItem | undefined =>
        socket.items().find((i) => {
          if (i.kind !== 'status') return false;
          const st = JSON.parse(b64(i.payload)) as DeliveryStatus;
          return st.id === id && st.state === state;
        });
      await within(
        timeoutMs,
        `status ${state} of ${id} for ${this.device.name}`,
        (async () => {
          while (find() === undefined) await socket.next(() => find() !== undefined);
        })(),
      );
      return JSON.parse(b64(find()!.payload)) as DeliveryStatus;
    } finally {
      socket.close();
    }
  }
}

function b64(payload: string): string {
  return Buffer.from(payload, 'base64url').toString();
}
