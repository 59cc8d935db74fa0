/** The first screen: decides between the explanations, join, unlock and the app itself. */
import { useEffect } from 'preact/hooks';
import { effect } from '@preact/signals';
import { locale } from './i18n/index.ts';
import { boot, phase } from './state/boot.ts';
import { Lazy, Loading } from './components/Lazy.tsx';
import { Insecure } from './screens/Insecure.tsx';
import { Welcome } from './screens/Welcome.tsx';
import { Elsewhere } from './screens/Elsewhere.tsx';
import { Join } from './screens/Join.tsx';
import { Unlock } from './screens/Unlock.tsx';

const loadApp = () => import('./app/MainApp.tsx').then((m) => m.MainApp);
const loadLink = () => import('./screens/LinkDevice.tsx').then((m) => m.LinkDevice);

effect(() => {
  document.documentElement.lang = locale.value;
});

export function Root() {
  useEffect(() => {
    void boot();
  }, []);
  // Reading the locale re-renders every text when the language changes.
  void locale.value;
  const p = phase.value;
  switch (p.name) {
    case 'loading':
      return <Loading />;
    case 'insecure':
      return <Insecure />;
    case 'elsewhere':
      return <Elsewhere />;
    case 'welcome':
      return <Welcome />;
    case 'join':
      return <Join invite={p.invite} key={p.invite} />;
    case 'unlock':
      return <Unlock />;
    case 'link':
      return <Lazy load={loadLink} props={{}} />;
    case 'ready':
      return <Lazy load={loadApp} props={{}} />;
  }
}
