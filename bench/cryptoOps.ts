/**
 * The MLS operations the crypto benchmark times (ciphersuite 1, ts-mls through src/shared/mls),
 * in a 4-leaf group unless named otherwise. Setup work (key packages, building the groups) is
 * not timed. Every timed operation starts from the same immutable state except
 * encrypt/decrypt, which chain (as a conversation does).
 *
 * No node:* here: the same module runs in Node (bench/crypto.ts) and, bundled, in Chromium
 * (`--browser`), so both columns measure the same code.
 */
import { getCiphersuiteFromName, getCiphersuiteImpl } from 'ts-mls';
import { utf8 } from '../src/shared/protocol/bytes.ts';
import {
  addMembers,
  createGroup,
  encodeGroup,
  encryptMessage,
  joinFromWelcome,
  processMessage,
  selfUpdate,
  type Group,
  type GroupContextDeps,
} from '../src/shared/mls/group.ts';
import { createKeyPackage, type CreatedKeyPackage } from '../src/shared/mls/keyPackages.ts';
import { CIPHERSUITE_NAME, getSuite } from '../src/shared/mls/suite.ts';
import {
  makeTestIdentity,
  makeTestInstance,
  trustInstance,
  type TestIdentity,
} from '../src/shared/mls/testing.ts';

export interface Row {
  name: string;
  iterations: number;
  medianMs: number;
  p95Ms: number;
}

const WARMUP = 3;

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

function summarise(name: string, samples: number[]): Row {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    name,
    iterations: samples.length,
    medianMs: quantile(sorted, 0.5),
    p95Ms: quantile(sorted, 0.95),
  };
}

/** Times `op(i)` for i in [0, n), after WARMUP untimed calls with negative indices. */
async function measure(name: string, n: number, op: (i: number) => Promise<unknown>): Promise<Row> {
  for (let w = 1; w <= WARMUP; w++) await op(-w);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await op(i);
    samples.push(performance.now() - t0);
  }
  return summarise(name, samples);
}

export interface CryptoReport {
  rows: Row[];
  sizes: Record<string, number>;
}

/** Runs every timed operation; `quick` takes fewer samples (smoke tests). */
export async function runCryptoBench(quick: boolean): Promise<CryptoReport> {
  const N = quick ? 20 : 200;
  const N_COMMIT = quick ? 10 : 60;
  const N_BIG = quick ? 5 : 25;
  const instance = await makeTestInstance('bench.example');
  const trust = trustInstance(instance);
  const deps: GroupContextDeps = { trust };
  let userCount = 0;
  async function device(): Promise<TestIdentity> {
    return makeTestIdentity({
      user: `u${userCount++}`,
      domain: instance.domain,
      instanceKey: instance.key,
    });
  }
  async function keyPackages(n: number): Promise<CreatedKeyPackage[]> {
    const out: CreatedKeyPackage[] = [];
    for (let i = 0; i < n; i++) out.push(await createKeyPackage((await device()).me, trust));
    return out;
  }

  /** A group of `size` leaves; returns the creator's and the second member's states. */
  async function buildGroup(size: number): Promise<{ creator: Group; second: Group }> {
    const creator = await createGroup(
      utf8(`bench-${size}-${userCount}`),
      (await device()).me,
      deps,
    );
    const kps = await keyPackages(size - 1);
    const add = await addMembers(
      creator,
      kps.map((k) => k.publicPackage),
      deps,
    );
    const second = await joinFromWelcome(add.welcome, kps[0]!, deps);
    return { creator: add.group, second };
  }

  const rows: Row[] = [];
  const sizes: Record<string, number> = {};
  const { creator: alice, second: bob } = await buildGroup(4);

  // Application messages: 100-byte plaintext, chained states.
  const plaintext = new Uint8Array(100).fill(0x61);
  const messages: Uint8Array[] = [];
  let sender = alice;
  rows.push(
    await measure('encrypt 100 B message', N, async () => {
      const out = await encryptMessage(sender, plaintext, deps);
      sender = out.group;
      messages.push(out.message);
    }),
  );
  sizes['application message (100 B plaintext)'] = messages[0]!.length;
  let receiver = bob;
  let next = 0;
  rows.push(
    await measure('decrypt 100 B message', N, async () => {
      const out = await processMessage(receiver, messages[next++]!, deps);
      receiver = out.group;
    }),
  );

  // Add one member: create the commit, process it at another member, join from the Welcome.
  const addKps = await keyPackages(N_COMMIT + WARMUP);
  const adds: Array<{ commit: Uint8Array; welcome: Uint8Array }> = [];
  rows.push(
    await measure('add-member commit: create', N_COMMIT, async (i) => {
      const out = await addMembers(alice, [addKps[i + WARMUP]!.publicPackage], deps);
      adds[i + WARMUP] = { commit: out.commit, welcome: out.welcome };
    }),
  );
  sizes['add commit (1 add)'] = adds[WARMUP]!.commit.length;
  sizes['welcome (4 -> 5 leaves)'] = adds[WARMUP]!.welcome.length;
  rows.push(
    await measure('add-member commit: process', N_COMMIT, (i) =>
      processMessage(bob, adds[i + WARMUP]!.commit, deps),
    ),
  );
  rows.push(
    await measure('join from Welcome (5 leaves)', N_COMMIT, (i) =>
      joinFromWelcome(adds[i + WARMUP]!.welcome, addKps[i + WARMUP]!, deps),
    ),
  );

  // Self-update: create and process.
  const updates: Uint8Array[] = [];
  rows.push(
    await measure('self-update commit: create', N_COMMIT, async (i) => {
      updates[i + WARMUP] = (await selfUpdate(alice, deps)).commit;
    }),
  );
  sizes['self-update commit'] = updates[WARMUP]!.length;
  rows.push(
    await measure('self-update commit: process', N_COMMIT, (i) =>
      processMessage(bob, updates[i + WARMUP]!, deps),
    ),
  );
  sizes['group state (4 leaves, creator)'] = encodeGroup(alice).length;

  // Joining a 50-leaf group: a 49-leaf group adds the 50th device, which joins from the Welcome.
  const { creator: big } = await buildGroup(49);
  const bigKps = await keyPackages(N_BIG + WARMUP);
  const bigWelcomes: Uint8Array[] = [];
  for (let i = 0; i < bigKps.length; i++) {
    bigWelcomes.push((await addMembers(big, [bigKps[i]!.publicPackage], deps)).welcome);
  }
  sizes['welcome (49 -> 50 leaves)'] = bigWelcomes[0]!.length;
  rows.push(
    await measure('join from Welcome (50 leaves)', N_BIG, (i) =>
      joinFromWelcome(bigWelcomes[i + WARMUP]!, bigKps[i + WARMUP]!, deps),
    ),
  );

  // The raw signature cost, to see what re-importing the private key per signature costs.
  const suite = await getSuite();
  const plain = await getCiphersuiteImpl(getCiphersuiteFromName(CIPHERSUITE_NAME));
  const key = await suite.signature.keygen();
  const toSign = new Uint8Array(200);
  rows.push(
    await measure('Ed25519 sign, key re-imported (ts-mls)', N, () =>
      plain.signature.sign(key.signKey, toSign),
    ),
  );
  rows.push(
    await measure('Ed25519 sign, imported key cached (Foyer)', N, () =>
      suite.signature.sign(key.signKey, toSign),
    ),
  );
  return { rows, sizes };
}
