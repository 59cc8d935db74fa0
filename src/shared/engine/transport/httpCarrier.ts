/**
 * The HTTP carrier: envelopes over the `/api/v1` JSON routes the server has always had, so
 * the envelope layer changes nothing on the wire. A submission envelope is opened into the
 * JSON body of `POST /api/v1/groups/:id/messages`; mailbox pages come back as item envelopes.
 */
import type { MailboxPage, SubmitResponse } from '../../protocol/api.ts';
import { decodeSubmission, encodeItem, encodeReceipt } from '../../protocol/envelope.ts';
import { FoyerError } from '../../protocol/errors.ts';
import type { Carrier, EnvelopeBatch } from './carrier.ts';
import { parseMailboxPage } from './parseReplies.ts';

type Method = 'GET' | 'POST';

/** An authenticated JSON call to the server (HttpTransport's). */
export type AuthedCall = <T>(method: Method, path: string, body?: unknown) => Promise<T>;

export class HttpCarrier implements Carrier {
  private readonly authed: AuthedCall;

  constructor(authed: AuthedCall) {
    this.authed = authed;
  }

  async submit(envelope: Uint8Array): Promise<Uint8Array> {
    const { groupId, ...req } = decodeSubmission(envelope);
    const res = await this.authed<SubmitResponse>(
      'POST',
      `/api/v1/groups/${encodeURIComponent(groupId)}/messages`,
      req,
    );
    return encodeReceipt(res);
  }

  async fetch(after: number, limit: number): Promise<EnvelopeBatch> {
    const page: MailboxPage = parseMailboxPage(
      await this.authed<unknown>('GET', `/api/v1/mailbox?after=${after}&limit=${limit}`),
    );
    try {
      return { envelopes: page.items.map(encodeItem), more: page.more };
    } catch (err) {
      if (!(err instanceof FoyerError)) throw err;
      throw new FoyerError('internal', `the server sent a malformed mailbox item: ${err.message}`);
    }
  }

  async ack(upTo: number): Promise<void> {
    await this.authed('POST', '/api/v1/mailbox/ack', { upTo });
  }
}
