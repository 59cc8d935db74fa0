/** What `foyer setup` tells the person to do next, in order, from what they answered. */
import { isIP } from 'node:net';

export interface NextStepInput {
  dataDir: string;
  newFolder: boolean;
  currentMode: 'key-file' | 'passphrase' | 'none';
  wantedMode: 'key-file' | 'passphrase';
  publicUrl: string;
  host: string;
  /** The HTTPS mode chosen. */
  tls?: string;
  passphraseEnv: string;
  /** The router port mapping answer (`off`, `auto`, `upnp`, `natpmp`). */
  portMapping?: string | undefined;
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '::1' || host === '[::1]';
}

export function nextSteps(s: NextStepInput): string[] {
  const steps: string[] = [];
  const data = `--data ${s.dataDir}`;
  if (s.wantedMode === 'passphrase' && s.newFolder) {
    steps.push(
      `Start Foyer once with the data passphrase set: ${s.passphraseEnv}='…' foyer start ${data}` +
        ' (or run it in a terminal: it asks for the passphrase). Remember it: without it the data is lost.',
    );
  } else if (s.wantedMode === 'passphrase' && s.currentMode === 'key-file') {
    steps.push(
      `Protect the existing key with a passphrase (server stopped): foyer key wrap ${data}`,
    );
    steps.push(
      `Start Foyer: foyer start ${data} (it asks for the passphrase, or set ${s.passphraseEnv})`,
    );
  } else if (s.wantedMode === 'key-file' && s.currentMode === 'passphrase') {
    steps.push(`Go back to a key file (server stopped): foyer key unwrap ${data}`);
    steps.push(`Start Foyer: foyer start ${data}`);
  } else {
    steps.push(`Start Foyer: foyer start ${data}`);
    if (s.newFolder)
      steps.push(
        `Copy ${s.dataDir}/foyer.key somewhere safe (not beside the backups): it opens the data.`,
      );
  }
  if (s.newFolder)
    steps.push(
      'Open the one-time admin invite it prints (or writes to admin-invite.txt) on your phone to create the first account.',
    );
  if (s.portMapping !== undefined && s.portMapping !== 'off')
    steps.push(
      'Make sure UPnP (or NAT-PMP) is enabled on the router (its settings page): Foyer asks it to forward the public port while it runs.',
    );
  if (s.tls === 'local') {
    const page = new URL(s.publicUrl);
    page.protocol = 'http:';
    page.port = '';
    steps.push(
      `On each household device, open ${page.origin}/ca and install Foyer's certificate authority ` +
        '(check that the fingerprint shown there is the one "foyer start" prints). Plain HTTP needs port 80: keep --http-port 80.',
    );
  }
  steps.push(`Check everything: foyer doctor ${data}`);
  steps.push(`Run it as a service that starts at boot: sudo foyer install-service ${data}`);
  const url = new URL(s.publicUrl);
  if (isLoopbackHost(url.hostname) && !isLoopbackHost(s.host))
    steps.push(
      `The public URL ${s.publicUrl} only works on this machine: run "foyer setup" again with the name or address phones use.`,
    );
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && isIP(url.hostname) === 0)
    steps.push(
      'Browsers refuse the web app over plain http on a name: put HTTPS in front (docs/install.md, "HTTPS").',
    );
  return ['', 'Next steps:', ...steps.map((t, i) => `  ${i + 1}. ${t}`)];
}
