/** Why an optimiser stopped, in words for the user (the last line of `nst stylize`). */
import type { StopReason } from './types.js';

const WORDS: Record<StopReason, string> = {
  'max-evaluations': 'all iterations done',
  'max-iterations': 'all outer iterations done',
  'tolerance-function': 'the loss no longer changes',
  'tolerance-gradient': 'the gradient is zero (a minimum)',
  'tolerance-change': 'the steps no longer change the image',
  stopped: 'interrupted',
  'non-finite': 'the loss became NaN or infinite',
  'line-search-failed':
    'the line search found no lower loss along the L-BFGS direction nor along the gradient (try --line-search none or --optimizer adam)',
};

export function describeStopReason(reason: StopReason): string {
  return WORDS[reason];
}
