/**
 * Writing a message. Enter sends, Shift+Enter starts a new line. A typing notice goes out at
 * most every few seconds while the person types.
 */
import { useRef, useState } from 'preact/hooks';
import type { Live } from '../../engine/live.ts';
import { t } from '../../i18n/index.ts';

const TYPING_EVERY_MS = 4000;
/** The engine's content format bounds a message; keep well below it. */
const MAX_LENGTH = 16_000;

export function Composer({ live: l, conversationId }: { live: Live; conversationId: string }) {
  const [text, setText] = useState('');
  const lastTyping = useRef(0);

  const send = (): void => {
    const body = text.trim();
    if (body === '') return;
    setText('');
    // The message ends the notice on the other side; the next keystroke may announce again.
    lastTyping.current = 0;
    void l.send(conversationId, body).catch((err: unknown) => l.report(err));
  };

  const onInput = (value: string): void => {
    setText(value);
    const now = Date.now();
    if (value !== '' && now - lastTyping.current > TYPING_EVERY_MS && l.online.value) {
      lastTyping.current = now;
      // Typing notices are ephemeral: a lost one is not worth an error on screen.
      void l.engine.sendTyping(conversationId).catch(() => undefined);
    }
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label class="visually-hidden" for="composer-input">
        {t('chat.message')}
      </label>
      <textarea
        id="composer-input"
        rows={1}
        value={text}
        maxLength={MAX_LENGTH}
        placeholder={t('chat.placeholder')}
        dir="auto"
        onInput={(e) => onInput(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            send();
          }
        }}
      />
      <button type="submit" disabled={text.trim() === ''}>
        {t('chat.send')}
      </button>
    </form>
  );
}
