/**
 * People are named by address (`bob@maison.example`); on screen, someone of this instance is
 * shown by name alone and someone of another instance by full address.
 */
export function shortName(address: string, myDomain: string): string {
  const suffix = `@${myDomain}`;
  return address.endsWith(suffix) ? address.slice(0, -suffix.length) : address;
}
