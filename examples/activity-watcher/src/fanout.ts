import { WebSocket } from 'ws';
import type { PriceMessage } from '@kalshi-ingestor/client';
import { MAX_GAME_IDS, toBrowserEvent } from './protocol';

/** A browser whose socket holds more than this unsent is too slow: it is closed (it reconnects and resubscribes). */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** Which browser follows which game, and sending each update only to a game's followers. */
export class Fanout {
  private readonly byGame = new Map<string, Set<WebSocket>>();
  private readonly byClient = new Map<WebSocket, Set<string>>();

  add(client: WebSocket): void {
    this.byClient.set(client, new Set());
  }

  remove(client: WebSocket): void {
    for (const gameId of this.byClient.get(client) ?? []) this.drop(gameId, client);
    this.byClient.delete(client);
  }

  /** Adds games to a client's set (at most MAX_GAME_IDS in all); returns those it did not follow yet. */
  subscribe(client: WebSocket, gameIds: readonly string[]): string[] {
    const games = this.byClient.get(client);
    if (games === undefined) return [];
    const added: string[] = [];
    for (const gameId of gameIds) {
      if (games.has(gameId) || games.size >= MAX_GAME_IDS) continue;
      games.add(gameId);
      let followers = this.byGame.get(gameId);
      if (followers === undefined) this.byGame.set(gameId, (followers = new Set()));
      followers.add(client);
      added.push(gameId);
    }
    return added;
  }

  unsubscribe(client: WebSocket, gameIds: readonly string[]): void {
    const games = this.byClient.get(client);
    for (const gameId of gameIds) {
      if (games?.delete(gameId)) this.drop(gameId, client);
    }
  }

  /** Sends the update to the game's followers; returns how many it was sent to. */
  broadcast(message: PriceMessage): number {
    const followers = this.byGame.get(message.gameId);
    if (followers === undefined) return 0;
    const text = JSON.stringify(toBrowserEvent(message));
    let sent = 0;
    for (const client of followers) if (send(client, text)) sent += 1;
    return sent;
  }

  /** Sends a text to every browser (the feed state concerns them all). */
  broadcastAll(text: string): number {
    let sent = 0;
    for (const client of this.byClient.keys()) if (send(client, text)) sent += 1;
    return sent;
  }

  get clientCount(): number {
    return this.byClient.size;
  }

  private drop(gameId: string, client: WebSocket): void {
    const followers = this.byGame.get(gameId);
    followers?.delete(client);
    if (followers?.size === 0) this.byGame.delete(gameId);
  }
}

/** Sends unless the socket is not open; a client too far behind is closed instead (1013: try again later). */
export function send(client: WebSocket, text: string): boolean {
  if (client.readyState !== WebSocket.OPEN) return false;
  if (client.bufferedAmount > MAX_BUFFERED_BYTES) {
    client.close(1013, 'too slow');
    return false;
  }
  client.send(text);
  return true;
}
