/** The page's entry: renders the first screen and registers the service worker. */
import { render } from 'preact';
import './styles/base.css';
import './styles/card.css';
import { Root } from './Root.tsx';
import { registerServiceWorker } from './state/serviceWorker.ts';

const mount = document.getElementById('app');
if (mount !== null) render(<Root />, mount);
registerServiceWorker();
