/**
 * The envelope layer under the transport's message calls. A carrier moves opaque envelopes
 * (protocol/envelope.ts) between this device and its server and never looks inside: HTTP
 * today (httpCarrier.ts), an SMS gateway or a relay later, all carrying the same bytes.
 * `EnvelopeMessaging` turns the transport's message calls (submit, mailbox, ack) into
 * envelopes for whichever carrier is below it.
 */
import type { MailboxPage, SubmitRequest, SubmitResponse } from '../../protocol/api.ts';
import { decodeItem, decodeReceipt, encodeSubmission } from '../../protocol/envelope.ts';
import { FoyerError } from '../../protocol/errors.ts';
import { badReply } from './replyFields.ts';

/** Envelopes waiting for this device after a cursor, oldest first. */
export interface EnvelopeBatch {
  envelopes: Uint8Array[];
  /** Whether more wait past this batch. */
  more: boolean;
}

export interface Carrier {
  /**
   * Hands a submission envelope to the server. @returns the receipt envelope
   * @throws FoyerError the server's refusal, or network
   */
  submit(envelope: Uint8Array): Promise<Uint8Array>;
  /** Item envelopes with a sequence number above `after` (at most `limit`). */
  fetch(after: number, limit: number): Promise<EnvelopeBatch>;
  /** Tells the server that every item up to `upTo` is stored here (it may delete them). */
  ack(upTo: number): Promise<void>;
}

/** What a carrier delivered that does not decode: the server (or the carrier) is at fault. */
function badEnvelope(err: unknown): FoyerError {
  const why = err instanceof FoyerError ? err.message : String(err);
  return badReply('envelope', why, err);
}

/** The transport's message calls over envelopes and a carrier. */
export class EnvelopeMessaging {
  private readonly carrier: Carrier;

  constructor(carrier: Carrier) {
    this.carrier = carrier;
  }

  /** @throws FoyerError bad_request (a field is not base64url), the server's refusal, network */
  async submit(groupId: string, req: SubmitRequest): Promise<SubmitResponse> {
    const receipt = await this.carrier.submit(encodeSubmission({ groupId, ...req }));
    try {
      return decodeReceipt(receipt);
    } catch (err) {
      throw badEnvelope(err);
    }
  }

  /** @throws FoyerError bad_reply (an envelope that does not decode), network */
  async mailbox(after: number, limit: number): Promise<MailboxPage> {
    const batch = await this.carrier.fetch(after, limit);
    let items;
    try {
      items = batch.envelopes.map(decodeItem);
    } catch (err) {
      throw badEnvelope(err);
    }
    return { items, cursor: items.at(-1)?.seq ?? after, more: batch.more };
  }

  ack(upTo: number): Promise<void> {
    return this.carrier.ack(upTo);
  }
}
