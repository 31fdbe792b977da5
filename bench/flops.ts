/** Floating-point operation counts (a multiply-add counts 2), for GFLOP/s figures. */
export const convFlops = (inChannels: number, outChannels: number, h: number, w: number): number =>
  2 * inChannels * outChannels * 9 * h * w;

export const gramFlops = (channels: number, h: number, w: number): number => 2 * channels * channels * h * w;
