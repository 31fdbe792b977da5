/** Progress output: a bar redrawn in place on a terminal, plain lines every n iterations elsewhere. */
import { describe, expect, it } from 'vitest';
import { Progress } from '../src/stylize/progress.js';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { out: { isTTY, write: (s: string) => chunks.push(s) } as unknown as NodeJS.WriteStream, chunks };
}

const losses = { content: 1, style: 2, tv: 3, total: 6 };

describe('Progress', () => {
  it('redraws one line with a bar, rate and ETA on a terminal', () => {
    const { out, chunks } = stream(true);
    const p = new Progress(10, 50, out);
    p.update(5, losses);
    p.finish();
    expect(chunks[0]).toMatch(/^\r\[#{10}-{10}\] 5\/10 total 6\.000e\+0 \(content 1\.000e\+0, style 2\.000e\+0, tv 3\.000e\+0\) \S+ it\/s ETA \S+\x1b\[K$/);
    expect(chunks[1]).toBe('\n');
  });

  it('prints a plain line every printEvery iterations and at the last one when not on a terminal', () => {
    const { out, chunks } = stream(false);
    const p = new Progress(7, 3, out);
    for (let i = 1; i <= 7; i++) p.update(i, losses);
    p.finish();
    expect(chunks.map((c) => c.split(':')[0])).toEqual(['iteration 3/7', 'iteration 6/7', 'iteration 7/7']);
    expect(chunks.every((c) => c.endsWith(' it/s\n'))).toBe(true);
  });

  it('prints nothing but the last line with printEvery 0', () => {
    const { out, chunks } = stream(false);
    const p = new Progress(4, 0, out);
    for (let i = 1; i <= 4; i++) p.update(i, losses);
    expect(chunks).toHaveLength(1);
  });
});
