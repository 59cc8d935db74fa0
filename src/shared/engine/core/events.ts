/**
 * The events the engine reports to its shell (the CLI's `watch`, the web app's screens).
 * Identifiers appear here because the shell shows them to their owner; the engine itself
 * never logs them.
 */
import type { DeliveryState, MessageView } from '../store/model.ts';
import type { ConversationView } from '../store/model.ts';

export type EngineEvent =
  | { type: 'message'; conversationId: string; message: MessageView }
  | {
      type: 'message_state';
      conversationId: string;
      messageId: string;
      state: DeliveryState;
      reason?: string;
    }
  | { type: 'conversation_added'; conversation: ConversationView }
  | { type: 'conversation_updated'; conversation: ConversationView }
  | {
      type: 'conversation_removed';
      conversationId: string;
      reason: 'removed' | 'left' | 'banned' | 'hidden';
    }
  /** `address`: who is typing (`user@domain`). */
  | { type: 'typing'; conversationId: string; address: string }
  | { type: 'identity_changed'; user: string; domain: string; address: string }
  | { type: 'connection'; state: 'online' | 'offline' }
  | { type: 'error'; code: string; message: string; conversationId?: string };

export type EngineEventType = EngineEvent['type'];
export type Listener = (event: EngineEvent) => void;

/** A minimal emitter (no node:events, so it runs in browsers too). */
export class Emitter {
  private readonly listeners = new Set<Listener>();

  /** Subscribes to every event; returns the unsubscribe function. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: EngineEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (err) {
        // A faulty listener must not break message processing; report it to the others.
        if (event.type !== 'error') {
          this.emit({
            type: 'error',
            code: 'internal',
            message: `event listener failed: ${String(err)}`,
          });
        }
      }
    }
  }
}
