export { startActivityWatcher, type ActivityWatcher, type ActivityWatcherOptions } from './server';
export { toBrowserEvent, toFeedEvent, parseBrowserMessage, type KalshiPriceUpdateEvent, type KalshiFeedStatusEvent, type BrowserMessage } from './protocol';
