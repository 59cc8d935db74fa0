/**
 * A round badge with initials, its colour class derived from the name; or the group's own
 * picture when it has one.
 */
import { hue, initials } from './names.ts';
import { pictureSrc } from './group/picture.ts';

export function Avatar({
  name,
  group = false,
  picture = null,
  large = false,
}: {
  name: string;
  group?: boolean;
  /** A group picture (base64url), shown instead of the initials when it is an image. */
  picture?: string | null;
  large?: boolean;
}) {
  const src = pictureSrc(picture);
  const size = large ? ' large' : '';
  // Decorative: the name is always written beside it.
  if (src !== null) {
    return <img class={`avatar picture${group ? ' group' : ''}${size}`} src={src} alt="" />;
  }
  // Twelve colour classes: CSP forbids inline styles, so the hue picks a class.
  const tone = Math.floor(hue(name) / 30);
  return (
    <span class={`avatar tone-${tone}${group ? ' group' : ''}${size}`} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
