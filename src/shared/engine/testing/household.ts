/** FOR TESTS ONLY: engines registered on a FakeServer, with cheap store encryption. */
import { generateSignatureKeyPair } from '../../mls/keys.ts';
import { Engine, type EngineOptions } from '../engine.ts';
import type { EngineEvent } from '../core/events.ts';
import { MemoryStorage } from '../store/storage.ts';
import { FakeServer } from './fakeServer.ts';

export const FAST_KDF = { memoryKiB: 64, iterations: 1, parallelism: 1 };

export interface TestClient {
  name: string;
  engine: Engine;
  storage: MemoryStorage;
  events: EngineEvent[];
}

export async function fakeServer(domain = 'maison.example'): Promise<FakeServer> {
  return new FakeServer(domain, await generateSignatureKeyPair());
}

export async function registerClient(
  server: FakeServer,
  name: string,
  opts: EngineOptions = {},
): Promise<TestClient> {
  const storage = new MemoryStorage();
  const engine = await Engine.register(
    storage,
    'pw',
    { server: 'http://fake.invalid', invite: server.newInvite(), name },
    { kdf: FAST_KDF, transport: () => server.transport(), ...opts },
  );
  const events: EngineEvent[] = [];
  engine.on((e) => events.push(e));
  return { name, engine, storage, events };
}

/** Reopens a client's store, as after a restart. */
export async function reopen(
  server: FakeServer,
  c: TestClient,
  opts: EngineOptions = {},
): Promise<TestClient> {
  await c.engine.close();
  const engine = await Engine.open(c.storage, 'pw', {
    transport: () => server.transport(),
    ...opts,
  });
  const events: EngineEvent[] = [];
  engine.on((e) => events.push(e));
  return { ...c, engine, events };
}
