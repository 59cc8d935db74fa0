/** Foyer's mark: a house whose door is a speech bubble. Decorative (hidden from readers). */
export function Logo({ size = 48 }: { size?: number }) {
  return (
    <svg class="logo" width={size} height={size} viewBox="0 0 48 48" aria-hidden="true">
      <rect width="48" height="48" rx="12" fill="#1f5f5b" />
      <path d="M24 9 7 23h5v15h24V23h5z" fill="#f4efe6" />
      <path
        d="M18 24h12a3 3 0 0 1 3 3v5a3 3 0 0 1-3 3h-7l-5 4v-4a3 3 0 0 1-3-3v-5a3 3 0 0 1 3-3z"
        fill="#e0884c"
      />
    </svg>
  );
}
