/** A group's governance (roles, votes, bans), reloaded whenever the conversation changes. */
import { useEffect, useState } from 'preact/hooks';
import type { ConversationView, GovernanceView } from '../../lib/engine.ts';
import type { Live } from '../../engine/live.ts';

/**
 * The governance of `conv` as this device holds it, or null while it loads (and for a
 * conversation this device is no longer in, which has no group state left).
 */
export function useGovernance(
  l: Live,
  conv: ConversationView | undefined,
): [GovernanceView | null, (g: GovernanceView) => void] {
  const [g, setG] = useState<GovernanceView | null>(null);
  const active = conv?.status === 'active';
  // The list is refreshed with new objects on every engine event about the conversation
  // (a vote or a role change included), so its identity is the signal to reload.
  useEffect(() => {
    if (conv === undefined || !active) return undefined;
    let on = true;
    l.engine.governance(conv.id).then(
      (next) => on && setG(next),
      (err: unknown) => on && l.report(err),
    );
    return () => {
      on = false;
    };
  }, [conv, active]);
  return [active ? g : null, setG];
}
