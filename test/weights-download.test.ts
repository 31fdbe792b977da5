/**
 * `nst weights download` against a local HTTP server on 127.0.0.1 serving a fixture: success,
 * wrong checksum, a dropped connection resumed with Range, and a server that ignores Range.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.js';
import { PINNED_DOWNLOADS, type ExpectedDigest } from '../src/weights/download-sources.js';
import { downloadWeights, type DownloadWeightsOptions } from '../src/weights/download-weights.js';
import { loadModelWeights } from '../src/weights/load.js';
import { createProgress } from '../src/weights/progress.js';
import { fixtureNetwork, fixturePath, TINY_VGG19 } from './fixtures/weights/fixtures.js';

const BODY = readFileSync(fixturePath('keras-notop.h5'));
const SHA256: ExpectedDigest = { algorithm: 'sha256', hex: createHash('sha256').update(BODY).digest('hex') };
const CACHED_NAME = PINNED_DOWNLOADS.vgg19.keras!.fileName;

/** How the server behaves; `requests` records the Range header of every request. */
const server = {
  honourRange: true,
  /** Connections still to cut after sending this many body bytes. */
  dropsLeft: 0,
  dropAfter: 0,
  requests: [] as Array<string | undefined>,
};

/** torchvision's squeezenet1_1 file stands in for its download (served whole, no Range games). */
const SQUEEZENET = readFileSync(fixturePath('torchvision-squeezenet1_1.pth'));

function serve(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === '/squeezenet.pth') {
    res.writeHead(200, { 'Content-Length': String(SQUEEZENET.length) }).end(SQUEEZENET);
    return;
  }
  if (req.url === '/moved') {
    res.writeHead(302, { Location: '/weights.h5' });
    res.end();
    return;
  }
  if (req.url !== '/weights.h5') {
    res.writeHead(404).end();
    return;
  }
  server.requests.push(req.headers.range);
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const start = server.honourRange && range ? Number(range[1]) : 0;
  if (start >= BODY.length) {
    res.writeHead(416, { 'Content-Range': `bytes */${BODY.length}` }).end();
    return;
  }
  const headers = { 'Content-Length': String(BODY.length - start), 'Accept-Ranges': 'bytes' };
  if (start > 0) res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${BODY.length - 1}/${BODY.length}` });
  else res.writeHead(200, headers);
  if (server.dropsLeft > 0) {
    server.dropsLeft--;
    res.write(BODY.subarray(start, start + server.dropAfter), () => setTimeout(() => res.socket?.destroy(), 20));
    return;
  }
  res.end(BODY.subarray(start));
}

let http: Server;
let baseUrl: string;
let dir: string;

beforeAll(async () => {
  http = createServer(serve);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => http.close(() => resolve())));

beforeEach(() => {
  Object.assign(server, { honourRange: true, dropsLeft: 0, dropAfter: 0, requests: [] });
  dir = mkdtempSync(join(tmpdir(), 'nst-download-'));
});

function options(overrides: Partial<DownloadWeightsOptions> = {}): DownloadWeightsOptions {
  return {
    source: 'keras',
    url: `${baseUrl}/weights.h5`,
    expected: SHA256,
    output: join(dir, 'out', 'vgg19.nstw'),
    cacheDir: join(dir, 'cache'),
    architecture: TINY_VGG19,
    ...overrides,
  };
}

async function expectRejectsWithUserError(promise: Promise<unknown>, ...fragments: string[]): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  const message = (error as UserError).message;
  expect(message).not.toContain('\n');
  for (const fragment of fragments) expect(message).toContain(fragment);
  return error as UserError;
}

describe('downloadWeights', () => {
  it('downloads, verifies, keeps the file in the cache and writes the .nstw', async () => {
    const { downloaded, written } = await downloadWeights(options());
    expect(downloaded).toBe(join(dir, 'cache', CACHED_NAME));
    expect(readFileSync(downloaded).equals(BODY)).toBe(true);
    expect(existsSync(`${downloaded}.part`)).toBe(false);
    expect(written).toMatchObject({ path: options().output, dtype: 'float16', sourceKind: 'keras' });
    expect(loadModelWeights(written.path, TINY_VGG19).convs).toHaveLength(16);
    expect(server.requests).toEqual([undefined]);

    await downloadWeights(options());
    expect(server.requests).toHaveLength(1); // verified cache hit: no second download
  });

  it('downloads another network from its own source (squeezenet1_1 from torchvision) and writes it as that network', async () => {
    const output = join(dir, 'out', 'squeezenet1_1.nstw');
    const { downloaded, written } = await downloadWeights({
      model: 'squeezenet1_1',
      url: `${baseUrl}/squeezenet.pth`,
      expected: { algorithm: 'sha256', hex: createHash('sha256').update(SQUEEZENET).digest('hex') },
      output,
      cacheDir: join(dir, 'cache'),
      architecture: fixtureNetwork('torchvision-squeezenet1_1.pth'),
    });
    expect(downloaded).toBe(join(dir, 'cache', PINNED_DOWNLOADS.squeezenet1_1.torch!.fileName));
    expect(written).toMatchObject({ path: output, model: 'squeezenet1_1', sourceKind: 'torch' });
    expect(loadModelWeights(output, fixtureNetwork('torchvision-squeezenet1_1.pth')).model).toBe('squeezenet1_1');
  });

  it('refuses a download that holds another network than asked for', async () => {
    const architecture = fixtureNetwork('torchvision-squeezenet1_1.pth');
    await expectRejectsWithUserError(downloadWeights(options({ model: 'squeezenet1_1', source: 'torch', architecture })), 'holds vgg19 weights, not squeezenet1_1');
    expect(existsSync(options().output!)).toBe(false);
  });

  it('follows redirects', async () => {
    await downloadWeights(options({ url: `${baseUrl}/moved` }));
    expect(existsSync(options().output!)).toBe(true);
  });

  it('refuses a file with the wrong checksum, deletes it and writes nothing', async () => {
    const wrong: ExpectedDigest = { algorithm: 'sha256', hex: '0'.repeat(64) };
    await expectRejectsWithUserError(downloadWeights(options({ expected: wrong })), baseUrl, 'sha256', SHA256.hex, 'wrote nothing');
    expect(existsSync(options().output!)).toBe(false);
    expect(existsSync(join(dir, 'cache', CACHED_NAME))).toBe(false);
    expect(existsSync(join(dir, 'cache', `${CACHED_NAME}.part`))).toBe(false);
  });

  it('checks a published digest prefix (all torchvision gives) the same way', async () => {
    await downloadWeights(options({ expected: { algorithm: 'sha256', hex: SHA256.hex.slice(0, 8) } }));
    const md5 = createHash('md5').update(BODY).digest('hex');
    await downloadWeights(options({ expected: { algorithm: 'md5', hex: md5 }, cacheDir: join(dir, 'other-cache') }));
  });

  it('resumes with a Range request after a dropped connection', async () => {
    Object.assign(server, { dropsLeft: 1, dropAfter: 30_000 });
    await downloadWeights(options());
    expect(server.requests).toEqual([undefined, 'bytes=30000-']);
    expect(readFileSync(join(dir, 'cache', CACHED_NAME)).equals(BODY)).toBe(true);
  });

  it('keeps the partial file when out of attempts, and the next run resumes it', async () => {
    Object.assign(server, { dropsLeft: 2, dropAfter: 20_000 });
    await expectRejectsWithUserError(downloadWeights(options({ attempts: 2 })), 'download interrupted', 'run the same command again to resume');
    const part = join(dir, 'cache', `${CACHED_NAME}.part`);
    expect(readFileSync(part).length).toBe(40_000);
    expect(existsSync(options().output!)).toBe(false);

    await downloadWeights(options());
    expect(server.requests).toEqual([undefined, 'bytes=20000-', 'bytes=40000-']);
    expect(existsSync(part)).toBe(false);
    expect(existsSync(options().output!)).toBe(true);
  });

  it('starts over when the server ignores Range', async () => {
    server.honourRange = false;
    const part = join(dir, 'cache', `${CACHED_NAME}.part`);
    mkdirSync(join(dir, 'cache'), { recursive: true });
    writeFileSync(part, Buffer.alloc(5000, 0xab)); // appending to this would fail the checksum
    await downloadWeights(options());
    expect(server.requests).toEqual(['bytes=5000-']);
    expect(readFileSync(join(dir, 'cache', CACHED_NAME)).equals(BODY)).toBe(true);
  });

  it('names an HTTP error and an unusable URL', async () => {
    await expectRejectsWithUserError(downloadWeights(options({ url: `${baseUrl}/missing.h5` })), 'missing.h5', 'HTTP 404');
    await expectRejectsWithUserError(downloadWeights(options({ url: 'ftp://example.org/x.h5' })), '--url', 'not an http(s) URL');
  });
});

describe('download progress', () => {
  function capture(isTTY: boolean): { stream: { isTTY: boolean; write(text: string): void }; text: () => string } {
    let text = '';
    return { stream: { isTTY, write: (t: string) => void (text += t) }, text: () => text };
  }

  it('prints plain lines every 10% when not on a terminal', () => {
    const { stream, text } = capture(false);
    const progress = createProgress(stream);
    progress.start('vgg19.h5', 100 * 1024 * 1024, 0);
    for (let mb = 1; mb <= 100; mb++) progress.update(mb * 1024 * 1024);
    progress.finish();
    const lines = text().trim().split('\n');
    expect(lines[0]).toBe('vgg19.h5: 100.0 MB');
    expect(lines.slice(1)).toHaveLength(10);
    expect(lines.at(-1)).toBe('vgg19.h5: 100% (100.0 MB)');
    expect(text()).not.toContain('\r');
  });

  it('redraws one bar on a terminal', () => {
    const { stream, text } = capture(true);
    const progress = createProgress(stream);
    progress.start('vgg19.h5', 1000, 250);
    progress.finish();
    expect(text()).toContain('\rvgg19.h5 [########');
    expect(text()).toContain(' 25% ');
    expect(text().endsWith('\n')).toBe(true);
  });
});
