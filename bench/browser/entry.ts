/** The page's side of `bench:crypto --browser`: runs the operations and hands back the report. */
import { runCryptoBench } from '../cryptoOps.ts';

declare global {
  interface Window {
    foyerCryptoBench: (quick: boolean) => ReturnType<typeof runCryptoBench>;
  }
}

window.foyerCryptoBench = runCryptoBench;
