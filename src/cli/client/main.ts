/**
 * `foyer client …`: the command-line messenger over the client engine. Every command takes
 * `--store DIR` (default FOYER_CLIENT_STORE or ~/.foyer-client) and `--json`; the passphrase
 * comes from FOYER_PASSPHRASE or a prompt.
 */
import { FoyerError } from '../../shared/protocol/errors.ts';
import * as account from './accountCommands.ts';
import { parseClientArgs, type Parsed } from './args.ts';
import * as convs from './conversationCommands.ts';
import * as contacts from './contactCommands.ts';
import { EXIT, reportError } from '../errors.ts';
import { processIo, type ClientIo } from './io.ts';
import { forPerson } from './federationWords.ts';

type Run = (io: ClientIo, p: Parsed) => Promise<number>;

const COMMANDS: Record<string, Run> = {
  register: account.register,
  whoami: account.whoami,
  devices: account.devices,
  link: account.link,
  safety: account.safety,
  trust: account.trust,
  conversations: convs.conversations,
  open: convs.open,
  group: convs.group,
  leave: convs.leave,
  remove: convs.remove,
  contact: contacts.contact,
  block: contacts.block,
  unblock: contacts.unblock,
  blocked: contacts.blocked,
  send: convs.send,
  resend: convs.resend,
  messages: convs.messages,
  sync: convs.sync,
  watch: convs.watch,
};

export const CLIENT_USAGE = `Usage: foyer client COMMAND [--store DIR] [--json]

  register --server URL --invite CODE|LINK --name NAME   create your account
  whoami                                                   who this store is
  conversations [--offline]                                fetch, then list conversations
  open PERSON                                              one-to-one conversation
  group create --title T --members a,b                     new group
  group add --conversation ID --members c                  add people
  group remove --conversation ID --members c               remove people (admins)
  group members --conversation ID                          members, roles, bans, votes
  group promote|demote --conversation ID --person P        make P admin, or not
  group vote-ban|unvote|unban --conversation ID --person P [--device ID]
                                                           vote to ban P (or one device),
                                                           withdraw it, or vote to lift a ban
  group permissions --conversation ID --add admins|members --edit admins|members
                                                           who may add people, edit the profile
  group profile --conversation ID [--title T] [--description D] [--picture FILE]
                                                           show or set the group profile
  leave --conversation ID                                  leave a conversation
  remove --conversation ID                                 remove it from all your devices
                                                           (leaving it first)
  contact remove PERSON                                    remove your one-to-one
                                                           conversations with PERSON
  block PERSON | unblock PERSON                            block PERSON on all your devices
                                                           (their conversations go, new ones
                                                           and their messages stay hidden)
  blocked [--offline]                                      the people you blocked
  send --conversation ID --text TEXT                       send a message
  resend [--conversation ID [--message MID]]               send failed messages again
  messages --conversation ID [--limit N] [--read]          fetch, then show history
           [--offline]                                     (--offline: without fetching)
  sync [--wait SECONDS]                                    fetch and process (and wait
                                                           for the outbox to empty), then exit
  watch                                                    incoming events as JSON lines
  devices | devices revoke ID                              list or revoke devices
  link --server URL                                        link THIS new device
  link approve CODE [--wait SECONDS]                       approve a new device
  safety PERSON [--verify|--unverify] [--qr PAYLOAD]       safety number with PERSON
  trust accept PERSON                                      accept PERSON's changed key

A PERSON (also in --members) is an address, bob@maison.example, or a bare name for a user of
your own instance. The store defaults to FOYER_CLIENT_STORE or ~/.foyer-client; the passphrase comes from
FOYER_PASSPHRASE or is asked for.`;

/** Runs a client command line and returns the exit code (0 ok, 1 failed, 2 usage). */
export async function clientMain(argv: string[], io: ClientIo = processIo()): Promise<number> {
  let json = argv.includes('--json');
  try {
    const parsed = parseClientArgs(argv, io);
    json = parsed.json;
    const name = parsed.positionals[0];
    if (name === undefined || name === 'help' || parsed.flags.help === true) {
      (name === undefined ? io.err : io.out)(CLIENT_USAGE);
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    const run = COMMANDS[name];
    if (run === undefined)
      throw new FoyerError('usage', `unknown command "${name}" (see foyer client help)`);
    return await run(io, parsed);
  } catch (err) {
    return reportError(io, json ? err : forPerson(err), { json, prefix: 'foyer client' });
  }
}
