/**
 * Downloads a URL into a '.part' file with node:http/https, resuming with an HTTP Range request
 * when a partial file is there (and starting over when the server ignores Range), retrying a
 * dropped connection from where it stopped.
 */
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { UserError } from '../errors.js';
import { silentProgress, type ProgressReporter } from './progress.js';

export interface TransferOptions {
  url: string;
  partPath: string;
  /** How many connections to try before giving up (each resumes the previous one). */
  attempts?: number;
  progress?: ProgressReporter;
  /** A connection silent for this long counts as dropped. */
  idleTimeoutMs?: number;
}

const MAX_REDIRECTS = 5;
const DEFAULT_ATTEMPTS = 4;
const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/** A transfer that stopped early: worth another attempt. */
class DroppedConnection extends Error {}

function request(url: URL, headers: Record<string, string>, idleTimeoutMs: number): Promise<IncomingMessage> {
  const get = url.protocol === 'https:' ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = get(url, { headers }, resolve);
    req.setTimeout(idleTimeoutMs, () => req.destroy(new DroppedConnection(`no data for ${idleTimeoutMs / 1000} s`)));
    req.on('error', (e) => reject(e instanceof DroppedConnection ? e : new DroppedConnection(e.message)));
  });
}

/** GET following redirects; the Range header travels along. */
async function getFollowingRedirects(url: URL, headers: Record<string, string>, idleTimeoutMs: number): Promise<IncomingMessage> {
  for (let hops = 0; hops <= MAX_REDIRECTS; hops++) {
    const response = await request(url, headers, idleTimeoutMs);
    const location = response.headers.location;
    if (!(response.statusCode && response.statusCode >= 300 && response.statusCode < 400 && location)) return response;
    response.resume();
    url = new URL(location, url);
  }
  throw new UserError(`${url.href}: more than ${MAX_REDIRECTS} redirects`);
}

function existingSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** Start of a 206 response's Content-Range ('bytes 100-199/200'), and the total when given. */
function parseContentRange(header: string | undefined): { start: number; total?: number } | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header ?? '');
  if (!match) return undefined;
  return { start: Number(match[1]), total: match[2] === '*' ? undefined : Number(match[2]) };
}

/**
 * One connection: appends to the part file if the server resumed at its end, else rewrites it.
 * Resolves when the server sent everything; throws DroppedConnection when it stopped short.
 */
async function transferOnce(url: URL, partPath: string, progress: ProgressReporter, idleTimeoutMs: number): Promise<void> {
  const have = existingSize(partPath);
  const response = await getFollowingRedirects(url, have > 0 ? { Range: `bytes=${have}-` } : {}, idleTimeoutMs);
  const status = response.statusCode ?? 0;
  if (status === 416 && have > 0) {
    // Nothing left past what we have: the part file is complete (the checksum will tell).
    response.resume();
    return;
  }
  const range = status === 206 ? parseContentRange(response.headers['content-range']) : undefined;
  const resumed = range !== undefined && range.start === have;
  if (status !== 200 && !resumed) {
    response.resume();
    if (status === 206) throw new DroppedConnection(`server resumed at the wrong offset (${response.headers['content-range']})`);
    throw new UserError(`${url.href}: HTTP ${status} ${response.statusMessage ?? ''}`.trim());
  }
  const start = resumed ? have : 0;
  const length = Number(response.headers['content-length'] ?? NaN);
  const total = resumed ? range.total : Number.isFinite(length) ? length : undefined;
  let done = start;
  progress.start(url.pathname.split('/').pop() || url.host, total, done);
  response.on('data', (chunk: Buffer) => progress.update((done += chunk.length)));
  try {
    await saveBody(response, partPath, resumed);
  } finally {
    progress.finish();
  }
  if (total !== undefined && done < total) throw new DroppedConnection(`stopped after ${done} of ${total} bytes`);
}

/**
 * Writes the response body to the part file and, even when the connection drops, flushes every
 * byte received (pipeline() would discard them): the next attempt resumes from the file's size.
 */
async function saveBody(response: IncomingMessage, partPath: string, append: boolean): Promise<void> {
  const file = createWriteStream(partPath, { flags: append ? 'a' : 'w' });
  const written = new Promise<void>((resolve, reject) => file.on('finish', resolve).on('error', reject));
  let failure: Error | undefined;
  response.on('error', (e) => (failure = e));
  response.pipe(file, { end: false });
  await new Promise((resolve) => {
    response.on('close', resolve);
    file.on('error', () => response.destroy());
  });
  file.end();
  try {
    await written;
  } catch (e) {
    throw new UserError(`${partPath}: cannot write (${(e as Error).message})`);
  }
  if (failure || !response.complete) throw new DroppedConnection(failure?.message ?? 'connection closed early');
}

/** Downloads `url` to `partPath`, resuming what is already there. */
export async function downloadToPart({
  url,
  partPath,
  attempts = DEFAULT_ATTEMPTS,
  progress = silentProgress,
  idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS,
}: TransferOptions): Promise<void> {
  const target = new URL(url);
  for (let attempt = 1; ; attempt++) {
    try {
      return await transferOnce(target, partPath, progress, idleTimeoutMs);
    } catch (e) {
      if (!(e instanceof DroppedConnection)) throw e;
      if (attempt >= attempts) {
        throw new UserError(
          `${url}: download interrupted (${e.message}) after ${attempt} attempts; ` +
            `${existingSize(partPath)} bytes kept in ${partPath}: run the same command again to resume`,
        );
      }
    }
  }
}
