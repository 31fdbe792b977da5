/** `nst stylize <content> <style> [more styles...] -o out.png`: the CLI face of src/stylize/run.ts. */
import type { Command } from 'commander';
import { STYLIZE_DEFAULTS as D } from '../stylize/defaults.js';
import { parseStylizeConfig, type RawStylizeOptions } from '../stylize/config.js';
import { DivergedError, stylize } from '../stylize/run.js';

/** Exit code after Ctrl-C (128 + SIGINT), once the image has been saved. */
const EXIT_INTERRUPTED = 130;
/** Exit code when the optimisation diverged (NaN or infinite loss). */
const EXIT_DIVERGED = 1;

export function registerStylize(program: Command): void {
  program
    .command('stylize')
    .description('paint <content> in the style of <style> (several styles are blended)')
    .argument('<content>', 'content image (PNG or JPEG)')
    .argument('<styles...>', 'one or more style images')
    .requiredOption('-o, --output <file>', 'output image (.png, .jpg or .jpeg), written atomically')
    .option('--size <px>', `longest side of the output (default ${D.size})`)
    .option('--style-scale <s>', `style image longest side = size * s (default ${D.styleScale})`)
    .option('--style-blend-weights <w,...>', 'one weight per style image, normalised to sum to 1 (default equal)')
    .option('--iterations <n>', `objective evaluations, as neural-style counts them (default ${D.iterations})`)
    .option('--init <how>', `content, random, or an image path (default ${D.init})`)
    .option('--seed <n>', 'seed for the random init; runs are reproducible on a given backend (default: random, printed)')
    .option('--content-layers <list>', `comma-separated (default ${D.contentLayers.join(',')})`)
    .option('--style-layers <list>', `comma-separated (default ${D.styleLayers.join(',')})`)
    .option('--style-layer-weights <w,...>', 'one weight per style layer (default 1 each)')
    .option('--content-weight <w>', `default ${D.contentWeight}`)
    .option('--style-weight <w>', `default ${D.styleWeight}`)
    .option('--tv-weight <w>', `total variation weight (default ${D.tvWeight})`)
    .option('--pooling <kind>', `max or avg (default ${D.pooling})`)
    .option('--normalize-gradients', "scale each layer's gradient to L1 norm = its weight (neural-style's -normalize_gradients)")
    .option('--original-colors', "keep the content's colours: transfer luminance only (YUV)")
    .option('--optimizer <name>', `lbfgs or adam (default ${D.optimizer})`)
    .option('--learning-rate <r>', `L-BFGS first step / Adam step (default ${D.learningRate.lbfgs} / ${D.learningRate.adam})`)
    .option('--lbfgs-history <m>', `L-BFGS correction pairs kept (default ${D.lbfgsHistory})`)
    .option('--line-search <kind>', `strong-wolfe or none (fixed step) (default ${D.lineSearch})`)
    .option('--print-every <n>', `plain progress line every n iterations when not on a terminal; 0: never (default ${D.printEvery})`)
    .option('--save-every <n>', 'also write out_N.png every n iterations; 0: never (default 0)')
    .option('--quality <q>', `JPEG quality 1-100 (default ${D.quality})`)
    .option('--trace <file>', 'write a JSON trace of the losses as the run goes')
    .option('--backend <name>', 'auto, headlessgl, webasm or cpu (default: NST_BACKEND, else auto)')
    .option('--weights <file>', 'weights file (default: NST_WEIGHTS, ./weights/vgg19.nstw, then the user cache)')
    .action(async (content: string, styles: string[], raw: RawStylizeOptions) => {
      const config = parseStylizeConfig(content, styles, raw);
      try {
        const summary = await stylize(config);
        const l = summary.losses;
        process.stderr.write(
          `wrote ${config.output} (${summary.size.join('x')}, ${summary.evaluations} iterations on ${summary.backend} in ${summary.seconds.toFixed(1)} s; ` +
            `loss ${l.total.toExponential(3)}: content ${l.content.toExponential(3)}, style ${l.style.toExponential(3)}, tv ${l.tv.toExponential(3)})\n`,
        );
        if (summary.interrupted) process.exitCode = EXIT_INTERRUPTED;
      } catch (e) {
        if (!(e instanceof DivergedError)) throw e;
        process.stderr.write(`nst: ${e.message}\n`);
        process.exitCode = EXIT_DIVERGED;
      }
    });
}
