/**
 * The HTTP carrier: envelopes over the `/api/v1` JSON routes the server has always had, so
 * the envelope layer changes nothing on the wire. A submission envelope is opened into the
 * JSON body of `POST /api/v1/groups/:id/messages`; mailbox pages come back as item envelopes.
 */
import type { MailboxPage } from '../../protocol/api.ts';
import { decodeSubmission, encodeItem, encodeReceipt } from '../../protocol/envelope.ts';
import { FoyerError } from '../../protocol/errors.ts';
import type { Carrier, EnvelopeBatch } from './carrier.ts';
import { ignoreReply, parseMailboxPage, parseSubmitResponse } from './parseReplies.ts';
import { MAX_PAGE_REPLY_BYTES } from './readReply.ts';
import { badReply } from './replyFields.ts';

type Method = 'GET' | 'POST';

/**
 * An authenticated JSON call to the server (HttpTransport's): the reply is read up to
 * `maxBytes` (a default bound when absent) and parsed by `parse`.
 */
export type AuthedCall = <T>(
  method: Method,
  path: string,
  body: unknown,
  parse: (reply: unknown) => T,
  maxBytes?: number,
) => Promise<T>;

export class HttpCarrier implements Carrier {
  private readonly authed: AuthedCall;

  constructor(authed: AuthedCall) {
    this.authed = authed;
  }

  async submit(envelope: Uint8Array): Promise<Uint8Array> {
    const { groupId, ...req } = decodeSubmission(envelope);
    const res = await this.authed(
      'POST',
      `/api/v1/groups/${encodeURIComponent(groupId)}/messages`,
      req,
      parseSubmitResponse,
    );
    return encodeReceipt(res);
  }

  async fetch(after: number, limit: number): Promise<EnvelopeBatch> {
    const page: MailboxPage = await this.authed(
      'GET',
      `/api/v1/mailbox?after=${after}&limit=${limit}`,
      undefined,
      parseMailboxPage,
      MAX_PAGE_REPLY_BYTES,
    );
    try {
      return { envelopes: page.items.map(encodeItem), more: page.more };
    } catch (err) {
      if (!(err instanceof FoyerError)) throw err;
      throw badReply('mailbox item', err.message, err);
    }
  }

  async ack(upTo: number): Promise<void> {
    await this.authed('POST', '/api/v1/mailbox/ack', { upTo }, ignoreReply);
  }
}
