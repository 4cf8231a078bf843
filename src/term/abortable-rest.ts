import type { KalshiRestClient } from '../kalshi/rest-client';

type ReadQuotes = Pick<KalshiRestClient, 'readQuotes'>;

/**
 * The term's view of the REST client: a read fails at once when the term's signal aborts, and whatever the
 * request brings back afterwards is dropped (it never reaches the pipeline). The underlying fetch ends by its
 * own timeout; nothing waits for it.
 */
export function abortableRest(rest: ReadQuotes, signal: AbortSignal): ReadQuotes {
  return {
    readQuotes(tickers) {
      if (signal.aborted) return Promise.reject(abortError(signal));
      return new Promise((resolve, reject) => {
        const onAbort = () => reject(abortError(signal));
        signal.addEventListener('abort', onAbort, { once: true });
        rest.readQuotes(tickers).then(
          (result) => {
            signal.removeEventListener('abort', onAbort);
            if (signal.aborted) reject(abortError(signal));
            else resolve(result);
          },
          (error: unknown) => {
            signal.removeEventListener('abort', onAbort);
            reject(error);
          },
        );
      });
    },
  };
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('the leader term ended');
}
