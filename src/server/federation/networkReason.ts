/**
 * Why a request to a peer got no answer, in words an administrator (and the person whose
 * message failed) can act on: the system's error code (`ECONNREFUSED`, `EHOSTUNREACH`, a
 * certificate error…) instead of fetch's bare `TypeError`, or `timeout`.
 */
export function networkReason(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: unknown; name?: string } } | null;
  if (e?.name === 'TimeoutError') return 'timeout';
  const code = e?.cause?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,60}$/.test(code)) return code;
  return e?.cause?.name ?? e?.name ?? 'error';
}
