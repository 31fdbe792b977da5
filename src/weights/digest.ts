import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export type DigestAlgorithm = 'md5' | 'sha256';

export function digestHex(algorithm: DigestAlgorithm, bytes: Uint8Array): string {
  return createHash(algorithm).update(bytes).digest('hex');
}

/** Streams the file through the hash: downloads can be far larger than we want in memory. */
export async function digestFileHex(algorithm: DigestAlgorithm, path: string): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export const sha256Hex = (bytes: Uint8Array): string => digestHex('sha256', bytes);
