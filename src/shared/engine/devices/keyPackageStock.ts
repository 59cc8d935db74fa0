/**
 * This device's key packages: the public halves wait on the server for whoever adds this
 * device to a group; the private halves stay here, encrypted, under their ref. The server
 * keeps `keyPackageTarget` of them, refilled when fewer than `keyPackageRefillBelow` are
 * left, plus one last-resort package that is handed out (and kept) when the rest run out.
 */
import { createKeyPackage, type CreatedKeyPackage } from '../../mls/keyPackages.ts';
import { toBase64Url } from '../../protocol/bytes.ts';
import type { EngineContext } from '../core/context.ts';
import type { StoreTx } from '../store/encryptedStore.ts';
import { rec } from '../store/model.ts';

/** How many refs to remember: older packages have long been claimed or dropped. */
const MAX_REFS = 500;

interface StockRecord {
  v: 1;
  /** Refs of packages whose private half is stored, oldest first. */
  refs: string[];
}

export interface StoredKeyPackage {
  v: 1;
  publicPackage: Uint8Array;
  privatePackage: Uint8Array;
  lastResort: boolean;
}

/**
 * Tops up the server's stock of this device's key packages. Private halves are stored
 * before the public ones are uploaded, so a package on the server is always usable.
 * @returns how many packages were uploaded
 */
export async function ensureKeyPackages(ctx: EngineContext): Promise<number> {
  const count = await ctx.transport.keyPackageCount();
  const needLastResort = !count.lastResort;
  const wanted =
    count.available < ctx.tuning.keyPackageRefillBelow
      ? ctx.tuning.keyPackageTarget - count.available
      : 0;
  if (wanted <= 0 && !needLastResort) return 0;
  const created: CreatedKeyPackage[] = [];
  for (let i = 0; i < wanted; i++) created.push(await createKeyPackage(ctx.me, ctx.trust));
  const lastResort = needLastResort
    ? await createKeyPackage(ctx.me, ctx.trust, { lastResort: true })
    : undefined;

  const tx = ctx.store.tx();
  const stock = (await tx.getRecord<StockRecord>(rec.keyPackages, 'key package stock', 1)) ?? {
    v: 1,
    refs: [],
  };
  const all = lastResort === undefined ? created : [...created, lastResort];
  for (const kp of all) {
    const stored: StoredKeyPackage = {
      v: 1,
      publicPackage: kp.publicPackage,
      privatePackage: kp.privatePackage,
      lastResort: kp === lastResort,
    };
    tx.putRecord(rec.keyPackage(kp.ref), stored);
    stock.refs.push(kp.ref);
  }
  while (stock.refs.length > MAX_REFS) tx.delete(rec.keyPackage(stock.refs.shift()!));
  tx.putRecord(rec.keyPackages, stock);
  await tx.commit();

  await ctx.transport.uploadKeyPackages({
    keyPackages: created.map((kp) => toBase64Url(kp.publicPackage)),
    ...(lastResort === undefined ? {} : { lastResort: toBase64Url(lastResort.publicPackage) }),
  });
  return all.length;
}

/** The stored key package among `refs` (a Welcome's), if this device holds one. */
export async function findKeyPackage(
  tx: StoreTx,
  refs: string[],
): Promise<{ ref: string; kp: StoredKeyPackage } | undefined> {
  for (const ref of refs) {
    const kp = await tx.getRecord<StoredKeyPackage>(rec.keyPackage(ref), 'key package', 1);
    if (kp !== undefined) return { ref, kp };
  }
  return undefined;
}

/** Forgets a used package (a last-resort one stays: the server may hand it out again). */
export async function consumeKeyPackage(
  tx: StoreTx,
  ref: string,
  kp: StoredKeyPackage,
): Promise<void> {
  if (kp.lastResort) return;
  tx.delete(rec.keyPackage(ref));
  const stock = await tx.getRecord<StockRecord>(rec.keyPackages, 'key package stock', 1);
  if (stock !== undefined) {
    tx.putRecord(rec.keyPackages, { v: 1, refs: stock.refs.filter((r) => r !== ref) });
  }
}
