/**
 * What a person reads when another instance is involved and something went wrong: the
 * server's text is written for logs and programs ("chez-bob.example cannot be reached
 * (network: EHOSTUNREACH)"); a person needs to know whose side refused, and what to do.
 * Only the human output uses these words; `--json` keeps the server's code, message and
 * details as they are.
 */
import { FoyerError } from '../../shared/protocol/errors.ts';

function detail(err: FoyerError, key: string): string | undefined {
  const v = err.details?.[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The sentence for a federation failure, or undefined to show the error as it is. */
export function federationSentence(err: FoyerError): string | undefined {
  const domain = detail(err, 'domain');
  if (domain === undefined) return undefined;
  switch (err.code) {
    case 'peer_unreachable': {
      const reason = detail(err, 'reason');
      return `your server cannot reach ${domain} at the moment${reason === undefined ? '' : ` (${reason})`}; try again later`;
    }
    case 'federation_denied':
      return detail(err, 'deniedBy') === 'peer'
        ? `${domain} refuses contact with your server: its administrator denied it`
        : `your server's administrator does not allow contact with ${domain} (on the server, \`foyer federation allow ${domain}\` lifts it)`;
    case 'peer_key_changed':
      return `${domain} now shows another instance key than the one your server trusts; nothing is exchanged with it until its administrator and yours sort it out`;
    default:
      return undefined;
  }
}

/**
 * The error as a person should read it: a federation failure in plain words (they carry what
 * the server's text said: the instance, the network's reason), the code and details kept.
 */
export function forPerson(err: unknown): unknown {
  if (!(err instanceof FoyerError)) return err;
  const sentence = federationSentence(err);
  if (sentence === undefined) return err;
  return new FoyerError(err.code, sentence, err.details);
}
