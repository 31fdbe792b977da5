/**
 * The playground's stylise panel: the library (src/api) on the page's GL backend. The engine
 * (weights fetched from beside the page, uploaded once) is kept for every later run. Each
 * iteration draws the image, the loss curve and iterations/s; the library yields to the
 * browser between evaluations, so the page stays responsive and Stop works mid-run.
 * `#stats` carries the run's state in data attributes (the browser tests read them).
 */
import { createEngine, PRESETS, STYLIZE_DEFAULTS, type ProgressEvent, type RgbaImage, type StyleEngine, type StylizeOptions } from '../src/api/index.js';
import { imagePicker } from './images.js';
import { LossPlot } from './loss-plot.js';
import { yieldToBrowser } from './yield.js';

const WEIGHTS_URL = 'weights/vgg19.nstw';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function draw(canvas: HTMLCanvasElement, image: RgbaImage): void {
  if (canvas.width !== image.width || canvas.height !== image.height) Object.assign(canvas, { width: image.width, height: image.height });
  const data = image.data instanceof Uint8ClampedArray ? image.data : new Uint8ClampedArray(image.data);
  canvas.getContext('2d')!.putImageData(new ImageData(data as Uint8ClampedArray<ArrayBuffer>, image.width, image.height), 0, 0);
}

/** Presets for the network the page has weights for (VGG19), and none still waiting for a feature. */
function presetChoices(): string[] {
  return PRESETS.filter((p) => !p.waitsFor && (p.options.model ?? 'vgg19') === 'vgg19').map((p) => p.name);
}

export async function setUpStylizePanel(backend: 'webgl2' | 'webgl'): Promise<void> {
  const photos = (await (await fetch('images/')).json()) as string[];
  const content = imagePicker($('content-thumbs'), $<HTMLInputElement>('content-file'), photos, 'tubingen.jpg');
  const style = imagePicker($('style-thumbs'), $<HTMLInputElement>('style-file'), photos, 'starry_night.jpg');
  const presetSelect = $<HTMLSelectElement>('preset');
  for (const name of ['', ...presetChoices()]) presetSelect.add(new Option(name || '(defaults)', name));
  const styleWeight = $<HTMLInputElement>('style-weight');
  styleWeight.placeholder = String(STYLIZE_DEFAULTS.styleWeight);

  const startButton = $<HTMLButtonElement>('start');
  const stopButton = $<HTMLButtonElement>('stop');
  const download = $<HTMLAnchorElement>('download');
  const result = $<HTMLCanvasElement>('result');
  const stats = $('stats');
  const plot = new LossPlot($<HTMLCanvasElement>('loss'));
  let engine: Promise<StyleEngine> | null = null;
  let controller: AbortController | null = null;

  const setState = (state: string, text: string) => {
    stats.dataset.state = state;
    stats.textContent = text;
  };

  stopButton.addEventListener('click', () => controller?.abort());
  startButton.addEventListener('click', async () => {
    startButton.disabled = true;
    download.hidden = true;
    plot.clear();
    for (const key of Object.keys(stats.dataset)) delete stats.dataset[key];
    try {
      const [contentImage, styleImage] = await Promise.all([content.current(), style.current()]);
      if (!contentImage || !styleImage) throw new Error('choose a content and a style image');
      const options: StylizeOptions = {
        size: Number($<HTMLInputElement>('size').value),
        iterations: Number($<HTMLInputElement>('iterations').value),
        ...(styleWeight.value.trim() === '' ? {} : { styleWeight: Number(styleWeight.value) }),
        ...(presetSelect.value ? { preset: presetSelect.value } : {}),
      };
      if (!engine) {
        setState('loading', 'loading the weights and compiling the kernels…');
        engine = createEngine({ weights: WEIGHTS_URL, backend });
        engine.catch(() => (engine = null));
      }
      const ready = await engine;
      controller = new AbortController();
      stopButton.disabled = false;
      setState('running', 'starting…');
      stats.dataset.backend = ready.backend;
      // The click's task ends here: the first evaluation (compiling this size's kernels) is long.
      await yieldToBrowser();
      let first: number | null = null;
      const run = ready.start({ content: contentImage, style: styleImage, ...options, imageEvery: 1, signal: controller.signal });
      for await (const event of run) {
        first ??= event.losses.total;
        show(event, first);
      }
      const outcome = await run.result;
      draw(result, outcome.image);
      const perSecond = outcome.evaluations / outcome.seconds;
      setState(
        'done',
        `${outcome.aborted ? 'stopped' : 'done'} after ${outcome.evaluations} evaluations in ${outcome.seconds.toFixed(1)} s ` +
          `(${perSecond.toFixed(2)} evaluations/s) on ${outcome.backend}; best loss ${outcome.losses.total.toExponential(3)}`,
      );
      stats.dataset.evaluationsPerSecond = String(perSecond);
      result.toBlob((blob) => {
        if (!blob) return;
        download.href = URL.createObjectURL(blob);
        download.hidden = false;
      }, 'image/png');
    } catch (e) {
      setState('error', e instanceof Error ? e.message : String(e));
    } finally {
      startButton.disabled = false;
      stopButton.disabled = true;
      controller = null;
    }
  });

  function show(event: ProgressEvent, first: number): void {
    if (event.image) draw(result, event.image);
    plot.add(event.losses.total);
    const perSecond = event.evaluation / event.seconds;
    Object.assign(stats.dataset, {
      iteration: String(event.iteration),
      firstLoss: String(first),
      lastLoss: String(event.losses.total),
      evaluationsPerSecond: String(perSecond),
    });
    stats.textContent =
      `iteration ${event.iteration}/${event.iterations} at ${event.size[0]}x${event.size[1]}: loss ${event.losses.total.toExponential(3)}, ` +
      `${perSecond.toFixed(2)} evaluations/s (${(event.iteration / event.seconds).toFixed(2)} iterations/s)`;
  }
}
