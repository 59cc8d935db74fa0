/** The base URL of links the admin commands print (invites). */
import type { Config } from '../../server/config.ts';
import { dataLayout } from '../../server/storage/layout.ts';
import { readRunState } from '../../server/home/runState.ts';

/**
 * The configured public URL when one is set (`foyer setup` sets it); otherwise the one the
 * running server recorded, which knows its real port (a `--port` flag given to `start` only,
 * or port 0); otherwise the default derived from host and port.
 */
export function invitePublicUrl(config: Config): string {
  if (config.publicUrlConfigured === true) return config.publicUrl;
  const state = readRunState(dataLayout(config.dataDir));
  if (state.running && state.publicUrl !== undefined) return state.publicUrl;
  return config.publicUrl;
}
