/**
 * The app once unlocked: the conversation list beside the current view on wide screens, one
 * of them at a time on a phone.
 */
import './app.css';
import { useEffect } from 'preact/hooks';
import { live } from '../state/session.ts';
import { locale } from '../i18n/index.ts';
import type { Live } from '../engine/live.ts';
import { view } from './nav.ts';
import { Sidebar } from './Sidebar.tsx';
import { Banners } from './Banners.tsx';
import { Chat } from './chat/Chat.tsx';
import { Home } from './Home.tsx';
import { NewChat } from './NewChat.tsx';
import { NewGroup } from './NewGroup.tsx';
import { GroupInfo } from './GroupInfo.tsx';
import { Safety } from './Safety.tsx';
import { Devices } from './Devices.tsx';
import { Admin } from './Admin.tsx';
import { Settings } from './Settings.tsx';

export function MainApp() {
  const l = live.value;
  void locale.value;
  useEffect(() => {
    // History was loaded before the first paint; open the chat that was on screen, if any.
    const v = view.value;
    if (l !== null && v.name === 'chat') void l.open(v.id);
  }, [l]);
  if (l === null) return null;
  const v = view.value;
  const inList = v.name === 'home';
  return (
    <div class={`app ${inList ? 'show-list' : 'show-pane'}`}>
      <Sidebar live={l} />
      <main class="pane" id="main">
        <Banners live={l} />
        <Pane live={l} />
      </main>
    </div>
  );
}

function Pane({ live: l }: { live: Live }) {
  const v = view.value;
  switch (v.name) {
    case 'home':
      return <Home live={l} />;
    case 'chat':
      return <Chat live={l} id={v.id} key={v.id} />;
    case 'new-chat':
      return <NewChat live={l} />;
    case 'new-group':
      return <NewGroup live={l} />;
    case 'group':
      return <GroupInfo live={l} id={v.id} key={v.id} />;
    case 'safety':
      return <Safety live={l} user={v.user} back={v.back} key={v.user} />;
    case 'devices':
      return <Devices live={l} />;
    case 'admin':
      return <Admin live={l} />;
    case 'settings':
      return <Settings live={l} />;
  }
}
