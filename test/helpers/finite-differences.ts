/**
 * A gradient against central differences of a float64 function at a few coordinates:
 * the largest |gradient_i - (f(x + h e_i) - f(x - h e_i)) / 2h|, and the largest difference
 * quotient, the scale the error is judged against.
 */
export function centralDifferenceError(
  f: (x: Float64Array) => number,
  x: ArrayLike<number>,
  gradient: ArrayLike<number>,
  coordinates: readonly number[],
  h: number,
): { worst: number; scale: number } {
  let worst = 0;
  let scale = 0;
  for (const i of coordinates) {
    const plus = Float64Array.from(x);
    const minus = Float64Array.from(x);
    plus[i] += h;
    minus[i] -= h;
    const fd = (f(plus) - f(minus)) / (2 * h);
    worst = Math.max(worst, Math.abs(gradient[i] - fd));
    scale = Math.max(scale, Math.abs(fd));
  }
  return { worst, scale };
}
