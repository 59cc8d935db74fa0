/**
 * LAN announcement over mDNS/DNS-SD (RFC 6762/6763) through @homebridge/ciao: phones at home
 * find the server as `NAME.local` and as a `_foyer._tcp` service, without a DNS server or a
 * typed IP address. Only the home network hears it (multicast does not cross routers).
 */
import ciao from '@homebridge/ciao';

export interface LanAnnouncement {
  stop(): Promise<void>;
}

/**
 * Announces `NAME.local` and the `_foyer._tcp` service on `port`.
 * `interfaces` restricts it (ciao skips virtual links such as veth unless named).
 */
export async function announceOnLan(opts: {
  name: string;
  port: number;
  interfaces?: string[] | undefined;
}): Promise<LanAnnouncement> {
  const responder = ciao.getResponder(
    opts.interfaces === undefined ? {} : { interface: opts.interfaces },
  );
  const service = responder.createService({
    name: `Foyer ${opts.name}`,
    type: 'foyer',
    port: opts.port,
    hostname: opts.name,
  });
  await service.advertise();
  return {
    async stop() {
      // Ends the announcement (ciao sends goodbye records) and frees the multicast sockets.
      await service.end();
      await service.destroy();
      await responder.shutdown();
    },
  };
}
