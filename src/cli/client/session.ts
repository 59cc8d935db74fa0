/** Opening the engine on the CLI's file store, and closing it whatever happens. */
import { Engine, type EngineOptions } from '../../shared/engine/index.ts';
import { FileStorage } from './fileStore.ts';
import type { ClientIo } from './io.ts';
import { existingPassphrase } from './passphrase.ts';

/** Runs `fn` with the engine of the store in `dir`, then closes it (releasing the lock). */
export async function withEngine<T>(
  io: ClientIo,
  dir: string,
  fn: (engine: Engine) => Promise<T>,
  opts: EngineOptions = {},
): Promise<T> {
  const storage = FileStorage.open(dir);
  let engine: Engine;
  try {
    engine = await Engine.open(storage, await existingPassphrase(io), opts);
  } catch (err) {
    await storage.close();
    throw err;
  }
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}
