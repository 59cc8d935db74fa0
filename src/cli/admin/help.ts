/** Usage texts of the `foyer` commands. */

const CONFIG_FLAGS = `Configuration flags (any command that opens the data folder):
  --data DIR            data folder (default ./data; env FOYER_DATA)
  --config FILE         JSON configuration file (default DIR/foyer.json; env FOYER_CONFIG)
  --host, --port, --domain, --public-url, --max-users, --log-level, --durability, ...
                        see docs/configuration.md
  The data key's passphrase comes from FOYER_DATA_PASSPHRASE or is asked for on the
  terminal (FOYER_PASSPHRASE is the client's own).`;

export const USAGE: Record<string, string> = {
  main: `Usage: foyer COMMAND [options]

Commands:
  setup                 a wizard that writes the configuration (run again to edit it)
  doctor                checks the installation and says what to fix
  install-service       the systemd unit that runs Foyer at boot, sandboxed
  start                 start the server (creates the data folder on first start)
  invite create|list|revoke
                        invite links: make one, list them (no codes shown), revoke one
  device list|revoke    every device (by user), or sign one out for good
  storage               disk used by the database, waiting messages and backups
  status                counts of users, devices and queued messages
  user list|remove      the accounts; remove one so its name can register again
  user disable|enable   stop (and allow again) one user's logins, keeping their data
  federation list|deny|allow|rotate-key
                        peer instances: list, deny or allow one; a new instance key
  key wrap|unwrap       protect the data key with a passphrase, or go back to the key file
  backup --out FILE     an encrypted snapshot, taken while the server runs
  restore FILE          a backup into a new, empty data folder
  client ...            the command-line messenger
  help [COMMAND]        this help, or a command's
  --version             the Foyer version

Run "foyer help COMMAND" for a command's options.`,
  start: `Usage: foyer start [configuration flags]

Opens (or on first start creates) the encrypted database and serves until SIGINT/SIGTERM.
On the very first start it prints a one-time admin invite link.

${CONFIG_FLAGS}`,
  invite: `Usage: foyer invite create [--admin] [--expires 7d] [--json] [configuration flags]
       foyer invite list [--json] [configuration flags]
       foyer invite revoke ID [--json] [configuration flags]

create makes a single-use invite and prints its link; list shows every invite by an id
(from the code's hash: the codes themselves are never shown again); revoke makes a pending
invite unusable.
  --admin               the person who uses it becomes an administrator
  --expires DURATION    validity: 30m, 12h, 7d (default 7d, at most 365d)
  --json                print {"code","url","expiresAt","admin"}

${CONFIG_FLAGS}`,
  status: `Usage: foyer status [--json] [configuration flags]

Says whether a server is running on the data folder (address, since when, version), then
prints counts only: users, devices, sessions, invites, groups, queued messages.

${CONFIG_FLAGS}`,
  federation: `Usage: foyer federation list [--json] [configuration flags]
       foyer federation deny DOMAIN [--json] [configuration flags]
       foyer federation allow DOMAIN [--json] [configuration flags]
       foyer federation rotate-key [--json] [configuration flags]

  list                  the peer instances this one knows: denied or not, items queued,
                        and messages held for a group's hub it could not reach
                        (--json: {"peers":[{"domain","denied","key","queued","held"}]})
  deny DOMAIN           refuses that instance's requests and stops routing to it
                        (a running server applies it at once)
  allow DOMAIN          undoes deny (federation is open by default)
  rotate-key            replaces the instance key by a new one, with a statement signed by
                        the old key that peers and clients follow; credentials signed before
                        keep verifying (a running server signs with the new key at once)
                        (--json: {"oldKey","newKey","at"})
`,
  user: `Usage: foyer user list [--json] [configuration flags]
       foyer user remove NAME [--yes] [--json] [configuration flags]
       foyer user disable NAME [--json] [configuration flags]
       foyer user enable NAME [--json] [configuration flags]

  list                  every account: name, admin or not, live devices, creation date
                        (--json: {"users":[{"name","admin","devices","createdAt"}]})
  remove NAME           revokes every device of NAME (sessions, key packages and queued
                        messages deleted; a running server stops delivering to them and
                        refuses their sessions within a second) and frees the name, so a
                        new invite can register it again with a new identity key. Contacts
                        then see an "identity changed" warning until they accept the key.
                        Asks for confirmation on a terminal; elsewhere needs --yes.
                        (--json: {"name","devices","queuedMessages"})
  --yes                 remove without asking
  disable NAME          ends every session of NAME and refuses their logins (a running
                        server cuts their connections within a second); their account,
                        devices, groups and queued messages are kept, and others still see
                        them as members. Listed as "NAME (disabled)".
  enable NAME           lets NAME log in again

${CONFIG_FLAGS}`,
  key: `Usage: foyer key wrap|unwrap [configuration flags]

  wrap                  replace foyer.key by foyer.key.wrapped, protected by a passphrase
                        (FOYER_DATA_PASSPHRASE, or typed twice)
  unwrap                replace foyer.key.wrapped by the plain key file foyer.key
Stop the server first; start it again with the passphrase afterwards.

${CONFIG_FLAGS}`,
  setup: `Usage: foyer setup [--yes] [--data DIR] [--domain NAME] [--host ADDR] [--port N]
                   [--tls off|acme|local|files|proxy] [--public-url URL] [--tls-names LIST|none]
                   [--key-protection key-file|passphrase] [--lan-announce yes|no]
                   [--port-mapping yes|no|upnp|natpmp] [--max-users N]
                   [--backup-dir DIR|none] [--backup-keep N]

Asks each question in turn (Enter takes the suggestion), checks each answer, writes
DIR/foyer.json and prints the next steps. Run it again to edit the file: the current values
are the suggestions. A flag answers its question; --yes takes the suggestions for the rest,
so "foyer setup --yes --domain maison.example" runs unattended.`,
  doctor: `Usage: foyer doctor [--json] [--cert-days N] [configuration flags]

Checks the data folder, the database, the running server, its public address, the clock, the
free disk, the backups, the router port mapping and the HTTPS certificates (expired, ending
within N days, default 14, or not for the public URL's name; the local authority's
fingerprint), and says in plain words what to do about each problem.
Exit code 0 when nothing failed (warnings allowed), 1 otherwise.

${CONFIG_FLAGS}`,
  device: `Usage: foyer device list [USER] [--json] [configuration flags]
       foyer device revoke DEVICE_ID [--json] [configuration flags]

  list                  devices of every user (or of USER): id, added, last seen, state
  revoke ID             signs the device out for good: sessions, key packages and queued
                        messages deleted; a running server refuses it within seconds

${CONFIG_FLAGS}`,
  storage: `Usage: foyer storage [--json] [configuration flags]

Disk used by the database and its write-ahead log, messages waiting for devices, the daily
backups, and the free space left.

${CONFIG_FLAGS}`,
  'install-service': `Usage: foyer install-service [--user foyer] [--output FILE] [configuration flags]

Prints the systemd unit that runs "foyer start" for the data folder as the given system
user, with systemd's sandboxing (ProtectSystem=strict, NoNewPrivileges, no capabilities,
only the data and backup folders writable). --output writes it, e.g. to
/etc/systemd/system/foyer.service, and prints the commands that finish the installation.

${CONFIG_FLAGS}`,
  backup: `Usage: foyer backup --out FILE [--with-passphrase] [--json] [configuration flags]

Writes a consistent snapshot of the database to FILE while the server keeps serving. The
database inside stays encrypted with the data key. Without --with-passphrase, restoring needs
the folder's foyer.key (or, in passphrase mode, its passphrase). With --with-passphrase the
data key goes in too, wrapped under a backup passphrase (FOYER_BACKUP_PASSPHRASE, or typed
twice), and the file plus that passphrase restore everything.
Daily backups with rotation: set backupDir (and backupKeep) in the configuration.

${CONFIG_FLAGS}`,
  restore: `Usage: foyer restore FILE [--key PATH/foyer.key] [--data DIR] [--json]

Restores a backup into DIR, which must be new or empty (nothing is ever overwritten). The key:
  --key FILE            the backed-up foyer.key, for a backup of a key-file folder
  FOYER_DATA_PASSPHRASE for a backup of a folder in passphrase mode
  FOYER_BACKUP_PASSPHRASE (or typed) for a backup made with --with-passphrase
Devices keep their accounts; messages sent after the backup are not in it.

${CONFIG_FLAGS}`,
  client: `Usage: foyer client COMMAND ...

The command-line messenger; run "foyer client help".`,
};
