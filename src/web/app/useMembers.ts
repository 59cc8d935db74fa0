/** The household's members (from the server), for pickers. */
import { useEffect, useState } from 'preact/hooks';
import type { Member } from '../engine/api.ts';
import type { Live } from '../engine/live.ts';

export function useMembers(l: Live): { members: Member[] | null; error: unknown } {
  const [members, setMembers] = useState<Member[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let on = true;
    l.api.members().then(
      (m) => on && setMembers(m.filter((x) => x.name !== l.me.user)),
      (err: unknown) => on && setError(err),
    );
    return () => {
      on = false;
    };
  }, [l]);
  return { members, error };
}
