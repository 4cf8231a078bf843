/** A REST body refused before it was read whole. */
export class RestBodyError extends Error {
  constructor(what: string) {
    super(`Kalshi REST body is ${what}`);
  }
}

/**
 * The body as text, read as a stream and abandoned as soon as it passes `maxBytes`: a misbehaving upstream
 * cannot make us buffer 50 MiB (or wait for it) to learn that it is too large.
 */
export async function readBodyCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new RestBodyError(`${declared} bytes, over the ${maxBytes}-byte limit`);
  }
  if (response.body === null) return '';
  // fetch's body is a byte stream; the lib types leave its chunks untyped.
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new RestBodyError(`over the ${maxBytes}-byte limit`);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}
