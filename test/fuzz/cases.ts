/**
 * What the fuzz run sends: HTTP requests on every route and WebSocket frames of every type,
 * built from valid templates and then damaged — wrong types, missing and extra fields,
 * hostile lengths and nesting, broken JSON and bytes, odd paths, methods, headers and
 * tokens, and bodies past every size limit. Everything is drawn from one seeded Rng.
 */
import type { Rng } from './rng.ts';

/** Real values a fuzz run starts from (a registered device, its group, a key package...). */
export interface Seeds {
  tokens: string[];
  /** Sessions the run may end (DELETE /sessions/current) without losing its own. */
  spareTokens: string[];
  deviceIds: string[];
  userNames: string[];
  groupIds: string[];
  rid: string;
  templates: Record<BodyKind, Record<string, unknown>>;
}

export type BodyKind =
  | 'register'
  | 'challenge'
  | 'session'
  | 'device'
  | 'keypackages'
  | 'group'
  | 'submit'
  | 'sealed'
  | 'ack'
  | 'none';

export interface HttpCase {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

type Param = 'id' | 'name' | 'groupId' | 'rid';

/** Every route of the server, with the body it expects. */
export const ROUTES: ReadonlyArray<readonly [string, string, BodyKind]> = [
  ['POST', '/api/v1/accounts', 'register'],
  ['POST', '/api/v1/sessions/challenge', 'challenge'],
  ['POST', '/api/v1/sessions', 'session'],
  ['DELETE', '/api/v1/sessions/current', 'none'],
  ['GET', '/api/v1/devices', 'none'],
  ['POST', '/api/v1/devices', 'device'],
  ['DELETE', '/api/v1/devices/:id', 'none'],
  ['GET', '/api/v1/users/:name', 'none'],
  ['POST', '/api/v1/users/:name/keypackages', 'none'],
  ['GET', '/api/v1/keypackages', 'none'],
  ['POST', '/api/v1/keypackages', 'keypackages'],
  ['POST', '/api/v1/groups', 'group'],
  ['GET', '/api/v1/groups/:groupId', 'none'],
  ['GET', '/api/v1/groups/:groupId/info', 'none'],
  ['POST', '/api/v1/groups/:groupId/messages', 'submit'],
  ['POST', '/api/v1/links/:rid', 'sealed'],
  ['GET', '/api/v1/links/:rid', 'none'],
  ['POST', '/api/v1/links/:rid/reply', 'sealed'],
  ['GET', '/api/v1/links/:rid/reply', 'none'],
  ['GET', '/api/v1/mailbox', 'none'],
  ['POST', '/api/v1/mailbox/ack', 'ack'],
  ['GET', '/api/v1/ws', 'none'],
  ['GET', '/.well-known/foyer', 'none'],
  ['GET', '/healthz', 'none'],
  ['GET', '/metrics', 'none'],
];

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const PATH_CHARS = B64 + '.~%!$&\'()*+,;=:@/?#[]" <>\\^`{|}é\u0000';
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/json, text/plain',
  '',
];

/** A hostile JSON value: wrong types, extreme numbers, long or odd strings, nesting. */
export function junkValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 9 : 12)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, 2 ** 32, -0, 4294967295]);
    case 3:
      return rng.int(1_000_000);
    case 4:
      return '';
    case 5:
      return rng.chars(rng.int(40), B64);
    case 6:
      return rng.chars(rng.pick([100, 1000, 70_000]), B64);
    case 7:
      return rng.pick(['\ud800', '\u0000', 'é', '💥', '__proto__', 'constructor', '%00', '../']);
    case 8:
      return rng.chars(rng.int(30), PATH_CHARS);
    case 9:
      return Array.from({ length: rng.int(5) }, () => junkValue(rng, depth + 1));
    case 10:
      return Object.fromEntries(
        Array.from({ length: rng.int(4) }, () => [
          rng.pick(['a', 'id', 'op', '__proto__', 'constructor', 'prototype']),
          junkValue(rng, depth + 1),
        ]),
      );
    default:
      return rng.pick(['[', '{"a":', '[[[[[[[[', 'null']);
  }
}

/** A template with one field dropped, retyped or added (nested objects too). */
export function mutateObject(rng: Rng, o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...o };
  const keys = Object.keys(out);
  const n = 1 + rng.int(2);
  for (let i = 0; i < n; i++) {
    const k = keys.length > 0 ? rng.pick(keys) : 'x';
    const what = rng.int(5);
    if (what === 0) delete out[k];
    else if (what === 1) out[rng.pick(['extra', '__proto__', 'constructor', 'v'])] = junkValue(rng);
    else if (
      what === 2 &&
      typeof out[k] === 'object' &&
      out[k] !== null &&
      !Array.isArray(out[k])
    ) {
      out[k] = mutateObject(rng, out[k] as Record<string, unknown>);
    } else if (what === 3 && Array.isArray(out[k])) {
      const arr = out[k] as unknown[];
      out[k] = rng.chance(0.5) ? [] : Array.from({ length: rng.pick([2, 50, 5000]) }, () => arr[0]);
    } else out[k] = junkValue(rng);
  }
  return out;
}

/** Byte-level damage: truncation, flipped bytes, inserted junk. */
export function mutateBytes(rng: Rng, b: Buffer): Buffer {
  const out = Buffer.from(b);
  switch (rng.int(4)) {
    case 0:
      return out.subarray(0, rng.int(out.length + 1));
    case 1:
      for (let i = 0; i < 1 + rng.int(4) && out.length > 0; i++)
        out[rng.int(out.length)] = rng.int(256);
      return out;
    case 2: {
      const at = rng.int(out.length + 1);
      return Buffer.concat([out.subarray(0, at), rng.bytes(1 + rng.int(16)), out.subarray(at)]);
    }
    default:
      return Buffer.concat([
        out,
        Buffer.from(rng.pick(['}', ']', ',', '"', '\\', '\u0000', '{"a":1}'])),
      ]);
  }
}

function body(rng: Rng, kind: BodyKind, seeds: Seeds): Buffer | undefined {
  const roll = rng.int(100);
  if (kind === 'none' && roll < 70) return undefined;
  const template = kind === 'none' ? {} : seeds.templates[kind];
  if (roll < 2) {
    // Past the body limits: 64 KiB for most routes, 1.5 MiB for message submission.
    return Buffer.alloc(rng.pick([64 * 1024 + 1, 200_000, 1_600_000]), 'A');
  }
  if (roll < 5) {
    const d = rng.pick([1000, 100_000]);
    return Buffer.from(rng.pick(['[', '{"a":']).repeat(d) + rng.pick([']', '}']).repeat(d));
  }
  if (roll < 10) return rng.bytes(rng.int(300));
  if (roll < 15) return Buffer.from(JSON.stringify(junkValue(rng)) ?? '');
  if (roll < 25) return Buffer.from(JSON.stringify(template));
  const json = Buffer.from(JSON.stringify(mutateObject(rng, template)));
  return roll < 80 ? json : mutateBytes(rng, json);
}

function paramValue(rng: Rng, p: Param, seeds: Seeds): string {
  const roll = rng.int(10);
  if (roll < 5) {
    if (p === 'id') return rng.pick(seeds.deviceIds);
    if (p === 'name') return rng.pick(seeds.userNames);
    if (p === 'groupId') return rng.pick(seeds.groupIds);
    return seeds.rid;
  }
  if (roll < 7) return rng.chars(rng.pick([0, 1, 22, 43, 86, 87, 300]), B64);
  if (roll < 8) return encodeURIComponent(rng.chars(rng.int(30), PATH_CHARS));
  if (roll < 9) return rng.chars(rng.pick([2000, 9000]), B64);
  return rng.pick(['..', '%2e%2e', '%00', '%ff', '%', 'é', '%F0%9F%92%A5', '%c3%28', ' ', '%20']);
}

function query(rng: Rng): string {
  if (rng.chance(0.5)) return '';
  const v = (): string =>
    rng.pick([
      '0',
      '1',
      '500',
      '501',
      '-1',
      '1e3',
      '9007199254740993',
      '',
      'x',
      '%zz',
      '1&after=2',
    ]);
  return `?${rng.pick(['after', 'limit', 'a'])}=${v()}&${rng.pick(['limit', 'after', 'limit[]'])}=${v()}`;
}

/** Path-level damage the router must not be fooled by. */
function mutatePath(rng: Rng, path: string): string {
  switch (rng.int(8)) {
    case 0:
      return path.replace('/api/', '/%61pi/');
    case 1:
      return path + '/';
    case 2:
      return path.replace('/v1/', '//v1//');
    case 3:
      return path.toUpperCase();
    case 4:
      return path + '/' + rng.chars(rng.int(10), B64);
    case 5:
      return path + '#' + rng.chars(5, B64);
    case 6:
      return '/' + rng.chars(rng.int(40), PATH_CHARS.replace(/[#? ]/g, '')).replace(/%/g, '%25');
    default:
      return path + ';' + rng.chars(5, B64);
  }
}

/** Whether the router may take `path` for /api/v1/sessions/current (it decodes %61 as a). */
function endsSession(path: string): boolean {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // Malformed escapes: the router answers 400 or 404 without a session check.
  }
  return decoded.toLowerCase().replace(/\/+/g, '/').includes('/sessions/current');
}

function authorization(rng: Rng, method: string, path: string, seeds: Seeds): string | undefined {
  if (method === 'DELETE' && endsSession(path)) {
    // Ending a session: only spare ones, so the run keeps its own.
    return rng.chance(0.7) ? `Bearer ${rng.pick(seeds.spareTokens)}` : undefined;
  }
  const roll = rng.int(20);
  if (roll < 11) return `Bearer ${rng.pick(seeds.tokens)}`;
  if (roll < 13) return undefined;
  if (roll < 14) return 'Bearer';
  if (roll < 15) return `Basic ${rng.chars(20, B64)}`;
  if (roll < 16) return `Bearer ${rng.chars(rng.pick([1, 43, 64, 65, 8000]), B64)}`;
  if (roll < 17) return `bearer ${rng.pick(seeds.tokens)}`;
  if (roll < 18) return `Bearer ${rng.pick(seeds.tokens)} ${rng.pick(seeds.tokens)}`;
  if (roll < 19) return `Bearer ${rng.pick(seeds.tokens).slice(0, -1)}`;
  return `Bearer  ${rng.pick(seeds.tokens)}`;
}

/** One fuzzed HTTP request. */
export function httpCase(rng: Rng, seeds: Seeds): HttpCase {
  const [routeMethod, template, kind] = rng.pick(ROUTES);
  let path = template.replace(/:(id|name|groupId|rid)/g, (_m, p: Param) =>
    paramValue(rng, p, seeds),
  );
  if (template === '/api/v1/mailbox') path += query(rng);
  if (rng.chance(0.1)) path = mutatePath(rng, path);
  const method = rng.chance(0.08) ? rng.pick(METHODS) : routeMethod;
  const headers: Record<string, string> = {};
  const auth = authorization(rng, method, path, seeds);
  if (auth !== undefined) headers['authorization'] = auth;
  const b = method === 'GET' || method === 'HEAD' ? undefined : body(rng, kind, seeds);
  if (b !== undefined) {
    const type = rng.pick(CONTENT_TYPES);
    if (type !== '') headers['content-type'] = type;
  }
  if (rng.chance(0.05))
    headers[rng.pick(['x-forwarded-for', 'host', 'accept', 'x-junk'])] = rng.chars(
      rng.int(200),
      B64,
    );
  return { method, path, headers, body: b };
}

/** One fuzzed WebSocket frame: text (JSON or not) or binary. */
export function wsFrame(rng: Rng, seeds: Seeds): { data: Buffer | string; binary: boolean } {
  const roll = rng.int(100);
  if (roll < 3) return { data: rng.bytes(rng.int(200)), binary: true };
  if (roll < 6) return { data: rng.bytes(rng.int(200)), binary: false };
  if (roll < 8) {
    // Below and past the frame limit (1.5 MiB, the submission body limit).
    return { data: Buffer.alloc(rng.pick([100_000, 1_000_000, 2_000_000]), 'A'), binary: false };
  }
  if (roll < 10) {
    const d = rng.pick([1000, 100_000]);
    return { data: '['.repeat(d) + ']'.repeat(d), binary: false };
  }
  if (roll < 15) return { data: JSON.stringify(junkValue(rng)) ?? '', binary: false };
  const ops: Array<Record<string, unknown>> = [
    { op: 'auth', token: rng.pick(seeds.tokens), after: 0 },
    { op: 'ack', upTo: rng.int(1000) },
    { op: 'ping' },
    {
      op: 'submit',
      ref: rng.int(1000),
      groupId: rng.pick(seeds.groupIds),
      ...seeds.templates.submit,
    },
    { op: rng.pick(['subscribe', 'AUTH', '', 'submitted', 'items']) },
  ];
  const frame = rng.pick(ops);
  const text = JSON.stringify(rng.chance(0.6) ? mutateObject(rng, frame) : frame);
  return {
    data: rng.chance(0.15) ? mutateBytes(rng, Buffer.from(text)).toString('latin1') : text,
    binary: false,
  };
}

/** Malformed HTTP at the byte level, written straight to a socket. */
export function rawRequest(rng: Rng, seeds: Seeds): Buffer {
  const token = rng.pick(seeds.tokens);
  const good = `POST /api/v1/groups HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n{"groupId":""}`;
  const cases: Array<() => string | Buffer> = [
    () => 'GET / HTTP/1.1\r\n\r\n',
    () => `${rng.chars(8, B64)} /healthz HTTP/1.1\r\nHost: x\r\n\r\n`,
    () => 'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n',
    () => 'GET /healthz\r\n\r\n',
    () => `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    () => 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
    () => 'GET /healthz HTTP/1.1\r\nHost: x\r\nX: \u0000\r\n\r\n',
    () =>
      'POST /api/v1/groups HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef',
    () => 'POST /api/v1/groups HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
    () => 'POST /api/v1/groups HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n',
    () =>
      'POST /api/v1/groups HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n',
    () =>
      'POST /api/v1/groups HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
    () => `GET /${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    () =>
      'GET /api/v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n',
    () =>
      'GET /api/v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: x\r\nSec-WebSocket-Version: 99\r\n\r\n',
    () => mutateBytes(rng, Buffer.from(good)),
    () => mutateBytes(rng, Buffer.from(good)),
    () => rng.bytes(1 + rng.int(100)),
    () => good + good.slice(0, rng.int(good.length)),
  ];
  const r = rng.pick(cases)();
  return typeof r === 'string' ? Buffer.from(r, 'latin1') : r;
}
