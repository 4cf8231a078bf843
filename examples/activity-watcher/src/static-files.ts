import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

/**
 * The page's files: public/ of this package, the same from src/ (tests) and dist/ (built): both are one level below
 * the package root.
 */
export const PUBLIC_DIR = path.resolve(__dirname, '../public');

const FILES: Readonly<Record<string, readonly [file: string, type: string]>> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/style.css': ['style.css', 'text/css; charset=utf-8'],
};

export function assertPublicDir(dir: string): void {
  for (const [file] of Object.values(FILES)) {
    if (!existsSync(path.join(dir, file))) throw new Error(`activity watcher: ${path.join(dir, file)} is missing`);
  }
}

/** Serves one of the page's files (an allow-list: no path from the request reaches the file system); false if none. */
export async function serveStatic(dir: string, route: string, response: ServerResponse): Promise<boolean> {
  const entry = FILES[route];
  if (entry === undefined) return false;
  const body = await readFile(path.join(dir, entry[0]));
  response.writeHead(200, {
    'content-type': entry[1],
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'self'; connect-src 'self'; img-src 'self' data:",
  });
  response.end(body);
  return true;
}
