/**
 * The group picture in the browser: a chosen file made small enough for the group profile
 * (the engine refuses more than MAX_PICTURE_BYTES), and a received picture turned into an
 * image source. Only raster formats recognised by their first bytes are shown.
 */
import { MAX_PICTURE_BYTES } from '../../lib/engine.ts';

/** The longest side of a group picture: an avatar, shown at most a few times this size. */
const MAX_SIDE = 256;
/** Sizes and JPEG qualities tried in turn, largest first, until the bytes fit. */
const STEPS: ReadonlyArray<readonly [number, number]> = [
  [MAX_SIDE, 0.85],
  [MAX_SIDE, 0.7],
  [192, 0.7],
  [128, 0.6],
  [96, 0.5],
];

/**
 * Decodes an image file, scales it to at most MAX_SIDE pixels a side and encodes it as JPEG,
 * smaller and smaller until it fits MAX_PICTURE_BYTES.
 * @throws Error when the browser cannot decode the file as an image
 */
export async function resizePicture(file: Blob): Promise<Uint8Array> {
  const bitmap = await createImageBitmap(file);
  try {
    for (const [side, quality] of STEPS) {
      const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
      const width = Math.max(1, Math.round(bitmap.width * scale));
      const height = Math.max(1, Math.round(bitmap.height * scale));
      const canvas = new OffscreenCanvas(width, height);
      const g = canvas.getContext('2d');
      if (g === null) throw new Error('no 2D canvas in this browser');
      // JPEG has no transparency: a light background instead of black.
      g.fillStyle = '#ffffff';
      g.fillRect(0, 0, width, height);
      g.drawImage(bitmap, 0, 0, width, height);
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality });
      if (blob.size <= MAX_PICTURE_BYTES) return new Uint8Array(await blob.arrayBuffer());
    }
  } finally {
    bitmap.close();
  }
  throw new Error('the picture could not be made small enough');
}

/** The media type of a picture from its first bytes, or undefined for anything else. */
function sniff(b: Uint8Array): string | undefined {
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return 'image/gif';
  const riff = String.fromCharCode(...b.slice(0, 4));
  const webp = String.fromCharCode(...b.slice(8, 12));
  if (riff === 'RIFF' && webp === 'WEBP') return 'image/webp';
  return undefined;
}

/** A `data:` URL for a received picture (base64url), or null when it is no known image. */
export function pictureSrc(picture: string | null | undefined): string | null {
  if (picture === null || picture === undefined || picture.length === 0) return null;
  const b64 = picture.replace(/-/g, '+').replace(/_/g, '/');
  const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
  let head: Uint8Array;
  try {
    head = Uint8Array.from(atob(padded.slice(0, 16)), (c) => c.charCodeAt(0));
  } catch {
    return null; // not base64: nothing to show
  }
  const type = sniff(head);
  return type === undefined ? null : `data:${type};base64,${padded}`;
}

/** The bytes of a base64url picture (as the profile carries it). */
export function pictureBytes(picture: string): Uint8Array {
  const b64 = picture.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) =>
    c.charCodeAt(0),
  );
}

/** Picture bytes as base64url, the profile's form (so pictureSrc reads both alike). */
export function pictureText(bytes: Uint8Array): string {
  let binary = '';
  // In slices: spreading tens of thousands of arguments at once can overflow the stack.
  for (let i = 0; i < bytes.length; i += 8192) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
