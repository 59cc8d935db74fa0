/** A list of members with checkboxes (choosing who joins a group). */
import type { Member } from '../engine/api.ts';
import { Avatar } from './Avatar.tsx';

export function MemberChecklist({
  members,
  chosen,
  onToggle,
  legend,
}: {
  members: Member[];
  chosen: ReadonlySet<string>;
  onToggle: (name: string) => void;
  legend: string;
}) {
  return (
    <fieldset class="checklist">
      <legend>{legend}</legend>
      {members.map((m) => (
        <label key={m.name} class="check">
          <input type="checkbox" checked={chosen.has(m.name)} onChange={() => onToggle(m.name)} />
          <Avatar name={m.name} />
          <span>{m.name}</span>
        </label>
      ))}
    </fieldset>
  );
}
