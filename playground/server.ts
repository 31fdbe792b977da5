/**
 * The playground's small static server (Node's http, loopback only): the built page, the
 * weights file beside it, and the shared photos with a list of them for the page's pickers.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';

export interface PlaygroundFiles {
  /** The built page (buildPlayground's output). */
  root: string;
  /** The .nstw file the page loads, served as /weights/vgg19.nstw. */
  weights: string;
  /** Photos offered in the pickers, served under /images/; absent: none. */
  images?: string;
}

export interface PlaygroundServer {
  url: string;
  close(): Promise<void>;
}

export const WEIGHTS_URL = 'weights/vgg19.nstw';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.nstw': 'application/octet-stream',
};

/** One path segment, no traversal: letters, digits, dot, dash, underscore. */
const PLAIN_NAME = /^[\w][\w.-]*$/;
const IMAGE_NAME = /\.(jpe?g|png)$/i;

function sendFile(res: ServerResponse, path: string): void {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch {
    notFound(res);
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream', 'content-length': size, 'cache-control': 'no-cache' });
  createReadStream(path).pipe(res);
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found\n');
}

function imageNames(dir: string | undefined): string[] {
  if (!dir) return [];
  try {
    return readdirSync(dir).filter((name) => PLAIN_NAME.test(name) && IMAGE_NAME.test(name)).sort();
  } catch {
    return [];
  }
}

/** Serves on 127.0.0.1 (`port` 0: any free port) until closed. */
export function servePlayground(files: PlaygroundFiles, port = 0): Promise<PlaygroundServer> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
    } else if (path === '/') {
      sendFile(res, join(files.root, 'index.html'));
    } else if (path === `/${WEIGHTS_URL}`) {
      sendFile(res, files.weights);
    } else if (path === '/images/') {
      res.writeHead(200, { 'content-type': TYPES['.json'] });
      res.end(JSON.stringify(imageNames(files.images)));
    } else if (path.startsWith('/images/') && files.images && PLAIN_NAME.test(path.slice(8)) && IMAGE_NAME.test(path)) {
      sendFile(res, join(files.images, path.slice(8)));
    } else if (PLAIN_NAME.test(path.slice(1))) {
      sendFile(res, join(files.root, path.slice(1)));
    } else {
      notFound(res);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${bound}/`,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
