/** Usage texts of the `foyer` commands. */

const CONFIG_FLAGS = `Configuration flags (any command that opens the data folder):
  --data DIR            data folder (default ./data; env FOYER_DATA)
  --config FILE         JSON configuration file (default DIR/foyer.json; env FOYER_CONFIG)
  --host, --port, --domain, --public-url, --max-users, --log-level, --durability, ...
                        see docs/configuration.md
  The passphrase comes from FOYER_PASSPHRASE or is asked for on the terminal.`;

export const USAGE: Record<string, string> = {
  main: `Usage: foyer COMMAND [options]

Commands:
  start                 start the server (creates the data folder on first start)
  invite create         create an invite link (works while the server runs)
  status                counts of users, devices and queued messages
  user list|remove      the accounts; remove one so its name can register again
  federation list|deny|allow  peer instances; deny or allow one
  key wrap|unwrap       protect the data key with a passphrase, or go back to the key file
  client ...            the command-line messenger
  help [COMMAND]        this help, or a command's

Run "foyer help COMMAND" for a command's options.`,
  start: `Usage: foyer start [configuration flags]

Opens (or on first start creates) the encrypted database and serves until SIGINT/SIGTERM.
On the very first start it prints a one-time admin invite link.

${CONFIG_FLAGS}`,
  invite: `Usage: foyer invite create [--admin] [--expires 7d] [--json] [configuration flags]

Creates a single-use invite and prints its link.
  --admin               the person who uses it becomes an administrator
  --expires DURATION    validity: 30m, 12h, 7d (default 7d, at most 365d)
  --json                print {"code","url","expiresAt","admin"}

${CONFIG_FLAGS}`,
  status: `Usage: foyer status [--json] [configuration flags]

Prints counts only: users, devices, sessions, invites, groups, queued messages.

${CONFIG_FLAGS}`,
  federation: `Usage: foyer federation list [--json] [configuration flags]
       foyer federation deny DOMAIN [--json] [configuration flags]
       foyer federation allow DOMAIN [--json] [configuration flags]

  list                  the peer instances this one knows: denied or not, items queued
                        (--json: {"peers":[{"domain","denied","key","queued"}]})
  deny DOMAIN           refuses that instance's requests and stops routing to it
                        (a running server applies it at once)
  allow DOMAIN          undoes deny (federation is open by default)
`,
  user: `Usage: foyer user list [--json] [configuration flags]
       foyer user remove NAME [--yes] [--json] [configuration flags]

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

${CONFIG_FLAGS}`,
  key: `Usage: foyer key wrap|unwrap [configuration flags]

  wrap                  replace foyer.key by foyer.key.wrapped, protected by a passphrase
                        (FOYER_PASSPHRASE, or typed twice)
  unwrap                replace foyer.key.wrapped by the plain key file foyer.key
Stop the server first; start it again with the passphrase afterwards.

${CONFIG_FLAGS}`,
  client: `Usage: foyer client COMMAND ...

The command-line messenger; run "foyer client help".`,
};
