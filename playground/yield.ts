/**
 * Lets the browser handle input and paint before the next piece of work: the kernels run on
 * the page's thread, so long work is cut into pieces with one of these between them.
 * (setTimeout, not requestAnimationFrame: a hidden tab gets no frames at all.)
 */
export function yieldToBrowser(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
