/**
 * The headers every response carries. The web app runs the client's cryptography, so the page
 * must not load or run anything Foyer did not serve: no inline scripts or styles, no third
 * party, no framing, and no referrer leaking an invite link's path to another site.
 */

/**
 * The Content-Security-Policy. `'wasm-unsafe-eval'` lets the page compile WebAssembly (the
 * Argon2id of the client store runs as WebAssembly) without allowing `eval` of strings.
 * `connect-src 'self'` covers the same-origin WebSocket (CSP Level 3).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(self), microphone=(), geolocation=()',
};
