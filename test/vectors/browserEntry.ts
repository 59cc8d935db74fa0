/**
 * The browser bundle of the vector replay (browser.test.ts builds it with Vite): the same
 * formats.ts, compiled for Chromium, published on `globalThis` for the test page to call.
 */
import { FORMATS, replay } from './formats.ts';

(globalThis as { foyerVectors?: unknown }).foyerVectors = { FORMATS, replay };
