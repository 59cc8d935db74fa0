/**
 * A NAT-PMP client (RFC 6886) for TCP port mappings. Written here rather than taken from
 * @achingbrain/nat-port-mapper: its NAT-PMP side (4.0.5) always asks for the internal port as
 * the external one, never retransmits, and sends its millisecond TTL as seconds. The protocol
 * is two fixed-size UDP messages, so the whole client is this file.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';

const SERVER_PORT = 5351;
const OP_EXTERNAL_ADDRESS = 0;
const OP_MAP_TCP = 2;
/** RFC 6886 §3.5 result codes, for the error message. */
const RESULTS: Readonly<Record<number, string>> = {
  1: 'unsupported version',
  2: 'not authorized (NAT-PMP may be disabled on the router)',
  3: 'network failure (the router may have no internet address yet)',
  4: 'out of resources',
  5: 'unsupported opcode',
};

/** A refusal or silence from the gateway; `code` is stable for callers. */
export class NatPmpError extends Error {
  readonly code: 'no_answer' | 'refused' | 'unreachable';
  constructor(code: NatPmpError['code'], message: string) {
    super(message);
    this.name = 'NatPmpError';
    this.code = code;
  }
}

export interface NatPmpMapping {
  internalPort: number;
  externalPort: number;
  /** Seconds the gateway granted (it may shorten what was asked). */
  lifetime: number;
}

export interface NatPmpClient {
  /** This machine's address toward the gateway (the address the mapping forwards to). */
  readonly localAddress: string;
  externalAddress(): Promise<string>;
  /** Creates or renews a mapping; lifetime 0 with external 0 deletes it (RFC 6886 §3.4). */
  map(internalPort: number, externalPort: number, lifetime: number): Promise<NatPmpMapping>;
  close(): void;
}

/**
 * Opens a client toward `gateway` (IPv4). Each request is sent up to `attempts` times, the
 * wait doubling from 250 ms (RFC 6886 §3.1), so a silent gateway costs 3.75 s by default.
 * `port` is the protocol's 5351 except in unit tests.
 */
export async function natPmpClient(
  gateway: string,
  attempts = 4,
  port = SERVER_PORT,
): Promise<NatPmpClient> {
  const socket: Socket = createSocket('udp4');
  // An ICMP error can arrive between requests: without a listener it would end the process.
  socket.on('error', () => undefined);
  // A connected socket learns of ICMP "port unreachable": a router without NAT-PMP fails fast.
  socket.connect(port, gateway);
  try {
    await once(socket, 'connect');
  } catch (err) {
    socket.close();
    throw err;
  }
  // One request at a time: answers carry no request id, only the opcode.
  let queue: Promise<unknown> = Promise.resolve();
  const exchange = (request: Buffer, expectOp: number, minLength: number): Promise<Buffer> => {
    const run = async (): Promise<Buffer> => {
      let onMessage: (msg: Buffer) => void = () => undefined;
      let onError: (err: Error) => void = () => undefined;
      const answer = new Promise<Buffer>((resolve, reject) => {
        onMessage = (msg) => {
          if (msg.length >= minLength && msg[0] === 0 && msg[1] === 128 + expectOp) resolve(msg);
        };
        onError = (err) =>
          reject(
            new NatPmpError('unreachable', `no NAT-PMP service at ${gateway}: ${err.message}`),
          );
      });
      socket.on('message', onMessage);
      socket.on('error', onError);
      try {
        let wait = 250;
        for (let i = 0; i < attempts; i++) {
          socket.send(request);
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<undefined>(
            (r) => (timer = setTimeout(() => r(undefined), wait)),
          );
          const msg = await Promise.race([answer, timeout]);
          clearTimeout(timer);
          if (msg !== undefined) {
            const result = msg.readUInt16BE(2);
            if (result !== 0)
              throw new NatPmpError(
                'refused',
                `the router refused: ${RESULTS[result] ?? `result ${result}`}`,
              );
            return msg;
          }
          wait *= 2;
        }
        throw new NatPmpError('no_answer', `no NAT-PMP answer from ${gateway}`);
      } finally {
        socket.off('message', onMessage);
        socket.off('error', onError);
      }
    };
    const next = queue.then(run, run);
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    localAddress: socket.address().address,
    async externalAddress() {
      const msg = await exchange(Buffer.from([0, OP_EXTERNAL_ADDRESS]), OP_EXTERNAL_ADDRESS, 12);
      return `${msg[8]}.${msg[9]}.${msg[10]}.${msg[11]}`;
    },
    async map(internalPort, externalPort, lifetime) {
      const req = Buffer.alloc(12);
      req[1] = OP_MAP_TCP;
      req.writeUInt16BE(internalPort, 4);
      req.writeUInt16BE(externalPort, 6);
      req.writeUInt32BE(lifetime, 8);
      const msg = await exchange(req, OP_MAP_TCP, 16);
      return {
        internalPort: msg.readUInt16BE(8),
        externalPort: msg.readUInt16BE(10),
        lifetime: msg.readUInt32BE(12),
      };
    },
    close() {
      socket.close();
    },
  };
}
