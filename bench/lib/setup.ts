/**
 * Untimed setup against the real server: accounts (first device through an invite, second
 * device added with POST /api/v1/devices), key packages, the MLS groups built with real
 * commits and Welcomes through the hub (every device joins), and a pool of real MLS
 * application messages per (device, group) pair.
 */
import { performance } from 'node:perf_hooks';
import { ApiDevice } from '../../test/helpers/apiDevice.ts';
import {
  addMembers,
  createGroup,
  encryptMessage,
  joinFromWelcome,
  welcomeKeyPackageRefs,
  type Group,
} from '../../src/shared/mls/group.ts';
import { generateSignatureKeyPair, signDeviceBinding } from '../../src/shared/mls/keys.ts';
import { fromBase64Url, randomBytes, toBase64Url } from '../../src/shared/protocol/bytes.ts';
import type {
  AddDeviceResponse,
  ClaimedKeyPackages,
  GroupStatus,
  MailboxItem,
  WellKnown,
} from '../../src/shared/protocol/api.ts';
import type { TrustStore } from '../../src/shared/mls/trust.ts';
import { deviceOf, type Population } from './population.ts';

export const PLAINTEXT_BYTES = 100;

export interface SetupResult {
  devices: ApiDevice[];
  /** base64url group id per bench group. */
  groupIds: string[];
  /** pools[device][group] = base64url MLS PrivateMessages (empty for groups it is not in). */
  pools: string[][][];
  /** Each device's MLS state per group, keyed `device:group` (a sender's after its pool). */
  states: Map<string, Group>;
  messageBytes: { min: number; avg: number; max: number };
  stepsMs: Record<string, number>;
}

/**
 * Claims a user's key packages, waiting out the rate limit when a claim is refused for it:
 * claims of another instance's users count against that instance's per-origin allowance
 * (docs/federation.md, "Limits per origin instance"), which the setup's burst can exceed.
 */
async function claimWithRetry(
  creator: ApiDevice,
  address: string,
): Promise<{ status: number; body: ClaimedKeyPackages }> {
  for (let attempt = 0; ; attempt++) {
    const c = await creator.call<ClaimedKeyPackages>(
      'POST',
      `/api/v1/users/${encodeURIComponent(address)}/keypackages`,
    );
    if (c.status !== 429 || attempt >= CLAIM_RETRIES) return c;
    await new Promise((resolve) => setTimeout(resolve, CLAIM_RETRY_MS));
  }
}

const CLAIM_RETRIES = 120;
const CLAIM_RETRY_MS = 1000;

/** Runs `fn` over `items`, at most `parallel` at a time, keeping the order of results. */
async function mapLimit<T, R>(
  items: T[],
  parallel: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return out;
}

function expectOk(what: string, r: { status: number; body: unknown }): void {
  if (r.status !== 200) throw new Error(`${what} failed (${r.status}): ${JSON.stringify(r.body)}`);
}

/** A second device of `first`'s user, bound by the user's identity key, logged in. */
async function addSecondDevice(first: ApiDevice, domain: string): Promise<ApiDevice> {
  const d = new ApiDevice(first.url);
  d.name = first.name;
  d.identity = first.identity;
  d.instanceKey = first.instanceKey;
  d.trust = first.trust;
  d.signature = await generateSignatureKeyPair();
  const identitySignature = await signDeviceBinding(first.identity, {
    user: first.name,
    domain,
    deviceId: d.id,
    deviceKey: d.signature.publicKey,
    identityKey: first.identity.publicKey,
  });
  const r = await first.call<AddDeviceResponse>('POST', '/api/v1/devices', {
    id: d.id,
    signatureKey: toBase64Url(d.signature.publicKey),
    identityKey: toBase64Url(first.identity.publicKey),
    identitySignature: toBase64Url(identitySignature),
  });
  expectOk('adding a device', r);
  d.credential = fromBase64Url(r.body.credential)!;
  await d.login();
  return d;
}

/** One server the population lives on: its URL and the invites its users redeem, in order. */
export interface Instance {
  url: string;
  invites: string[];
}

/** Rejects after `ms` with `what` in the message, unless `p` settles first. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Builds the whole population on one server, or across several federated ones: user `u`
 * lives on `instances[homeOf(u)]`, and a group's hub is its creator's instance. The creator
 * claims a user of another instance as `name@domain` from its own server, which forwards the
 * claim to that instance.
 * @throws Error on any refused request or failed MLS step (the benchmark cannot go on)
 */
export async function setUpPopulation(opts: {
  instances: Instance[];
  /** Index in `instances` of each user's home; everyone on the first when absent. */
  homeOf?: (user: number) => number;
  population: Population;
  poolSize: number;
  log: (line: string) => void;
}): Promise<SetupResult> {
  const { instances, population: pop } = opts;
  const homeOf = opts.homeOf ?? (() => 0);
  const steps: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    steps[name] = Math.round(now - t);
    t = now;
    opts.log(`  ${name}: ${steps[name]} ms`);
  };

  // Accounts: each user's first device redeems an invite, then adds the second device.
  const known: WellKnown[] = [];
  for (const i of instances)
    known.push((await new ApiDevice(i.url).call<WellKnown>('GET', '/.well-known/foyer')).body);
  const userIndices = Array.from({ length: pop.users }, (_, i) => i);
  const nthOnHome = userIndices.map(
    (u) => userIndices.filter((v) => v < u && homeOf(v) === homeOf(u)).length,
  );
  const perUser = await mapLimit(userIndices, 8, async (i) => {
    const home = instances[homeOf(i)]!;
    const invite = home.invites[nthOnHome[i]!];
    if (invite === undefined) throw new Error(`no invite for user ${i}`);
    const first = await ApiDevice.register(home.url, invite, `u${String(i).padStart(2, '0')}`);
    return [first, await addSecondDevice(first, known[homeOf(i)]!.domain)];
  });
  const devices = perUser.flat();
  if (instances.length > 1) {
    // Credentials of every instance are checked against that instance's key.
    const keys = new Map(known.map((k) => [k.domain, fromBase64Url(k.instanceKey)!]));
    const trust: TrustStore = {
      instanceKeys: async (domain) => (keys.has(domain) ? [keys.get(domain)!] : []),
      acceptIdentity: async () => true,
    };
    for (const d of devices) d.trust = trust;
  }
  lap('accounts');

  // One key package per group a device will be added to (creators are not added).
  await mapLimit(pop.devices, 8, async (d) => {
    const n = d.groups.filter((g) => pop.groups[g]!.creator !== d.index).length;
    if (n > 0) expectOk('key package upload', await devices[d.index]!.uploadKeyPackages(n));
  });
  lap('keyPackages');

  /** The name the creator's server knows `user` by: bare if local, `name@domain` if not. */
  const addressOf = (user: number, hub: number): string => {
    const name = devices[deviceOf(user, 0)]!.name;
    return homeOf(user) === hub ? name : `${name}@${known[homeOf(user)]!.domain}`;
  };

  // Groups: the creator claims every other member device's key package, adds them all in one
  // commit, and the hub delivers the Welcomes.
  const groupIds: string[] = [];
  const states = new Map<string, Group>(); // `${device}:${group}`
  await mapLimit(pop.groups, 4, async (g) => {
    const creator = devices[g.creator]!;
    const idBytes = randomBytes(16);
    const gid = toBase64Url(idBytes);
    groupIds[g.index] = gid;
    expectOk('group creation', await creator.call('POST', '/api/v1/groups', { groupId: gid }));
    const created = await createGroup(idBytes, creator.keys, { trust: creator.trust });
    const kps: Uint8Array[] = [];
    for (const u of g.users) {
      const c = await claimWithRetry(creator, addressOf(u, homeOf(g.users[0]!)));
      expectOk('key package claim', c);
      for (const k of c.body.keyPackages) kps.push(fromBase64Url(k.keyPackage)!);
    }
    if (kps.length !== g.devices.length - 1) {
      throw new Error(
        `group ${g.index}: claimed ${kps.length} key packages, expected ${g.devices.length - 1}`,
      );
    }
    const out = await addMembers(created, kps, { trust: creator.trust });
    const r = await creator.call(`POST`, `/api/v1/groups/${gid}/messages`, {
      id: toBase64Url(randomBytes(16)),
      message: toBase64Url(out.commit),
      welcome: toBase64Url(out.welcome),
      groupInfo: toBase64Url(out.groupInfo),
    });
    expectOk('add commit', r);
    states.set(`${g.creator}:${g.index}`, out.group);
  });
  lap('groups');

  // Every added device waits for its Welcomes (a remote hub's cross over federation, in the
  // background), joins, and acknowledges.
  const gidToIndex = new Map(groupIds.map((gid, i) => [gid, i]));
  await mapLimit(pop.devices, 8, async (d) => {
    const api = devices[d.index]!;
    const expected = d.groups.filter((g) => pop.groups[g]!.creator !== d.index).length;
    if (expected === 0) return;
    const socket = await api.socket();
    let items: MailboxItem[];
    try {
      items = await within(socket.untilItems(expected), 60_000, `welcomes of device ${d.index}`);
    } finally {
      socket.close();
    }
    for (const item of items) {
      if (item.kind !== 'welcome') continue;
      const w = fromBase64Url(item.payload)!;
      const group = await joinFromWelcome(w, api.keyPackageFor(welcomeKeyPackageRefs(w)), {
        trust: api.trust,
      });
      states.set(`${d.index}:${gidToIndex.get(item.groupId)!}`, group);
    }
    if (items.length > 0) {
      expectOk(
        'mailbox ack',
        await api.call('POST', '/api/v1/mailbox/ack', { upTo: items.at(-1)!.seq }),
      );
    }
  });
  for (const d of pop.devices) {
    for (const g of d.groups) {
      if (!states.has(`${d.index}:${g}`))
        throw new Error(`device ${d.index} did not join group ${g}`);
    }
  }
  for (const g of pop.groups) {
    const s = await devices[g.creator]!.call<GroupStatus>(
      'GET',
      `/api/v1/groups/${groupIds[g.index]!}`,
    );
    if (s.body.members.length !== g.devices.length || s.body.epoch !== 1) {
      throw new Error(
        `group ${g.index}: the hub has ${s.body.members.length} leaves at epoch ${s.body.epoch}`,
      );
    }
  }
  lap('joins');

  // Pre-generated application messages: 100 bytes of plaintext each, real MLS encryption.
  const plaintext = new TextEncoder().encode('x'.repeat(PLAINTEXT_BYTES));
  const sizes: number[] = [];
  const pools: string[][][] = pop.devices.map(() => pop.groups.map(() => []));
  await mapLimit(pop.devices, 8, async (d) => {
    const api = devices[d.index]!;
    for (const g of d.groups) {
      let state = states.get(`${d.index}:${g}`)!;
      for (let i = 0; i < opts.poolSize; i++) {
        const out = await encryptMessage(state, plaintext, { trust: api.trust });
        state = out.group;
        sizes.push(out.message.length);
        pools[d.index]![g]!.push(toBase64Url(out.message));
      }
      // The sender's state after its pool: a later encryption never reuses a generation.
      states.set(`${d.index}:${g}`, state);
    }
  });
  lap('messages');

  const sum = sizes.reduce((a, b) => a + b, 0);
  return {
    devices,
    groupIds,
    pools,
    states,
    messageBytes:
      sizes.length === 0
        ? { min: 0, avg: 0, max: 0 }
        : { min: Math.min(...sizes), avg: sum / sizes.length, max: Math.max(...sizes) },
    stepsMs: steps,
  };
}
