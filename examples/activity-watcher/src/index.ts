export { startActivityWatcher, type ActivityWatcher, type ActivityWatcherOptions } from './server';
export { toBrowserEvent, parseBrowserMessage, type KalshiPriceUpdateEvent, type BrowserMessage } from './protocol';
