/**
 * The physical limit: a process that holds one authenticated socket to the simulator, subscribes the same
 * markets, and does nothing with each frame but turn it into a string and JSON.parse it.
 */
import { createPrivateKey } from 'node:crypto';
import WebSocket from 'ws';
import { handshakeHeaders } from '../src/kalshi/auth';
import type { BareApi } from './common';
import { serveRpc } from './ipc';

let ws: WebSocket | undefined;
let expected = Infinity;
let count = 0;
let firstAt = 0;
let lastAt = 0;
let done: (() => void) | undefined;
let sink = 0;

function onFrame(data: WebSocket.RawData): void {
  const value = JSON.parse(data.toString()) as { type?: string; sid?: number };
  if (value.type !== 'ticker') return;
  sink += value.sid ?? 0; // keep the parse observable
  const now = Date.now();
  if (count === 0) firstAt = now;
  count++;
  if (count === expected) {
    lastAt = now;
    done?.();
  }
}

serveRpc<BareApi>({
  async connect({ wsUrl, keyId, privateKeyPem, tickers }) {
    const credentials = { keyId, privateKey: createPrivateKey(privateKeyPem) };
    const socket = new WebSocket(wsUrl, {
      headers: handshakeHeaders(credentials, wsUrl, Date.now()),
      perMessageDeflate: false,
      maxPayload: 1024 * 1024,
    });
    ws = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const sid = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no subscribed reply')), 10_000);
      socket.once('message', (data) => {
        clearTimeout(timer);
        const reply = JSON.parse(data.toString()) as { type?: string; msg?: { sid?: number } };
        if (reply.type === 'subscribed' && typeof reply.msg?.sid === 'number') resolve(reply.msg.sid);
        else reject(new Error(`unexpected reply ${data.toString().slice(0, 200)}`));
      });
      socket.send(JSON.stringify({ id: 1, cmd: 'subscribe', params: { channels: ['ticker'], market_tickers: tickers } }));
    });
    socket.on('message', onFrame);
    return { sid };
  },
  arm({ count: wanted }) {
    expected = wanted;
    count = 0;
    firstAt = lastAt = 0;
    return { armed: true as const };
  },
  async wait({ timeoutMs }) {
    if (count < expected) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`bare client: ${count} of ${expected} frames after ${timeoutMs} ms`)), timeoutMs);
        done = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    done = undefined;
    return { count, firstAt, lastAt: lastAt + (sink < 0 ? 1 : 0) };
  },
  close() {
    ws?.terminate();
    setImmediate(() => process.exit(0));
    return { closed: true as const };
  },
});
