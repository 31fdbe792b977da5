/** `nst stylize <content> <style> [more styles...] -o out.png`: the CLI face of src/stylize/run.ts. */
import type { Command } from 'commander';
import { MODEL_NAMES } from '../models/description.js';
import { STYLIZE_DEFAULTS as D } from '../stylize/defaults.js';
import { parseStylizeConfig, type RawStylizeOptions } from '../stylize/config.js';
import { describeStopReason } from '../optim/index.js';
import { PRESET_NAMES } from '../stylize/presets.js';
import { RunFailedError, stylize } from '../stylize/run.js';
import { resumeArguments } from '../stylize/checkpoint.js';
import { UserError } from '../errors.js';

/** Exit code after Ctrl-C (128 + SIGINT), once the image has been saved. */
const EXIT_INTERRUPTED = 130;
/** Exit code when the run failed for a reason that is not the user's input (NaN loss, backend failure). */
const EXIT_RUN_FAILED = 1;

export function registerStylize(program: Command): void {
  program
    .command('stylize')
    .description('paint <content> in the style of <style> (several styles are blended)')
    .argument('[content]', 'content image (PNG or JPEG); with --resume, default the checkpoint\'s')
    .argument('[styles...]', 'one or more style images; with --resume, default the checkpoint\'s')
    .option('-o, --output <file>', 'output image (.png, .jpg or .jpeg), written atomically (required; with --resume, default the checkpoint\'s)')
    .option('--preset <name>', `a source article's recipe: ${PRESET_NAMES.join(', ')} (see nst presets); options given here override it`)
    .option('--size <px>', `longest side of the output (default ${D.size})`)
    .option('--style-scale <s>', `style image longest side = size * s (default ${D.styleScale})`)
    .option('--style-blend-weights <w,...>', 'one weight per style image, normalised to sum to 1 (default equal)')
    .option('--style-resize <how>', `fit (longest side, aspect kept) or stretch (to the content's size, as the Keras examples) (default ${D.styleResize})`)
    .option('--iterations <n>', `objective evaluations, as neural-style counts them, over all scales; outer iterations with --lbfgs-maxfun/--lbfgs-maxiter (default ${D.iterations})`)
    .option('--scales <n>', `coarse to fine: optimise at 1/2^(n-1), ..., 1/2 of --size first, each result upsampled to start the next (default ${D.scales})`)
    .option('--scale-iterations <n,...>', 'iterations at each scale, coarsest first (default: --iterations split as README says)')
    .option('--init <how>', `content, random, uniform, or an image path (default ${D.init})`)
    .option('--seed <n>', 'seed for the random init; runs are reproducible on a given backend (default: random, printed)')
    .option('--model <network>', `${MODEL_NAMES.join(', ')} (default ${D.model})`)
    .option('--content-layers <list>', `comma-separated (default ${D.layers.vgg19.contentLayers.join(',')} for VGG, fire6 for SqueezeNet)`)
    .option('--style-layers <list>', `comma-separated (default ${D.layers.vgg19.styleLayers.join(',')} for VGG; README for SqueezeNet)`)
    .option('--style-layer-weights <w,...>', "one weight per style layer (default 1 each, or the network's own with its default layers)")
    .option('--content-weight <w>', `default ${D.contentWeight}`)
    .option('--style-weight <w>', `default ${D.styleWeight}`)
    .option('--tv-weight <w>', `total variation weight (default ${D.tvWeight})`)
    .option('--content-loss <r>', `mean or sum of the squared feature differences (default ${D.contentLoss})`)
    .option('--style-loss <r>', `mean or sum of the squared Gram differences (default ${D.styleLoss})`)
    .option('--gram-norm <n>', `Gram matrix divided by chw (C*H*W), hw (H*W) or keras (2*3*image pixels) (default ${D.gramNorm})`)
    .option('--style-weight-split <how>', `each style layer gets the style weight (each) or a share of it (shared) (default ${D.styleWeightSplit})`)
    .option('--tv-norm <n>', `total variation: squared, abs or pow (default ${D.tvNorm})`)
    .option('--tv-power <p>', `the power of --tv-norm pow (default ${D.tvPower})`)
    .option('--pooling <kind>', `max or avg (default ${D.pooling})`)
    .option('--normalize-gradients', "scale each layer's gradient to L1 norm = its weight (neural-style's -normalize_gradients)")
    .option('--original-colors', "keep the content's colours: transfer luminance only (YUV)")
    .option('--pixel-space <s>', `the optimiser's pixels: network (0..255 minus the mean), unit (RGB in [0, 1]) or torchvision ((rgb/255 - m)/s) (default ${D.pixelSpace})`)
    .option('--clip <lo,hi>', 'clip the pixels to [lo, hi] (in the pixel space) after every step; after every outer iteration for L-BFGS')
    .option('--optimizer <name>', `lbfgs, adam or sgd (default ${D.optimizer})`)
    .option('--learning-rate <r>', `L-BFGS first step / Adam step / SGD step (default ${D.learningRate.lbfgs} / ${D.learningRate.adam} / ${D.learningRate.sgd})`)
    .option('--lr-decay-rate <r>', "SGD, Adam: multiply the learning rate by r every --lr-decay-steps steps, as Keras's ExponentialDecay (default none)")
    .option('--lr-decay-steps <n>', "Keras's decay_steps")
    .option('--lr-staircase', 'decay in whole steps of --lr-decay-steps (default: continuously)')
    .option('--adam-beta1 <b>', `Adam's beta_1 (default ${D.adamBeta1})`)
    .option('--adam-beta2 <b>', `Adam's beta_2 (default ${D.adamBeta2})`)
    .option('--adam-epsilon <e>', `Adam's epsilon (default ${D.adamEpsilon})`)
    .option('--adam-epsilon-form <f>', `pytorch (added to sqrt(v-hat)) or keras (to sqrt(v), before bias correction) (default ${D.adamEpsilonForm})`)
    .option('--tile <px>', `evaluate the objective in tiles of this side (exact, in less memory; rounded down to the network's stride); auto: only when the whole image would not fit (default ${D.tile})`)
    .option('--max-memory <GiB>', `memory the run may use: it evaluates in tiles and keeps L-BFGS's history in a file beside the output when needed to fit; auto: 80 % of the machine's (default ${D.maxMemory})`)
    .option('--lbfgs-history <m>', `L-BFGS correction pairs kept (default ${D.lbfgsHistory})`)
    .option('--line-search <kind>', `strong-wolfe or none (fixed step) (default ${D.lineSearch})`)
    .option('--lbfgs-maxfun <n>', "L-BFGS in outer iterations as scipy's fmin_l_bfgs_b(maxfun=n) in a loop (--iterations counts them)")
    .option('--lbfgs-maxiter <n>', "L-BFGS in outer iterations as scipy's fmin_l_bfgs_b(maxiter=n) in a loop (--iterations counts them)")
    .option('--print-every <n>', `plain progress line every n iterations when not on a terminal; 0: never (default ${D.printEvery})`)
    .option('--save-every <n>', 'also write out_N.png every n iterations; 0: never (default 0)')
    .option('--quality <q>', `JPEG quality 1-100 (default ${D.quality})`)
    .option('--trace <file>', 'write a JSON trace of the losses as the run goes')
    .option('--checkpoint <file>', `keep the run's state here to resume it (default: the output's path + ${D.checkpointExtension}, or the --resume file)`)
    .option('--checkpoint-every <n>', `write the checkpoint every n iterations (and on Ctrl-C); 0: only on Ctrl-C (default ${D.checkpointEvery})`)
    .option('--resume <file>', 'go on with the run a checkpoint was written by, to the same result (same options, images, weights, backend)')
    .option('--backend <name>', 'auto, headlessgl, webasm or cpu (default: NST_BACKEND, else auto)')
    .option('--weights <file>', 'weights file (default: NST_WEIGHTS, ./weights/<model>.nstw, then the user cache)')
    .action(async (givenContent: string | undefined, givenStyles: string[], given: RawStylizeOptions) => {
      const { content, styles, options: raw } = resumeArguments(givenContent, givenStyles, given);
      if (content === undefined || styles.length === 0) throw new UserError('give the <content> and at least one <style> image (or --resume <checkpoint>)');
      const config = parseStylizeConfig(content, styles, raw);
      if (config.normalizeGradients && config.optimizer === 'lbfgs' && raw.lineSearch === undefined) {
        process.stderr.write('nst: note: --normalize-gradients: L-BFGS runs without line search (fixed steps of --learning-rate, as in neural-style)\n');
      }
      try {
        const summary = await stylize(config);
        const l = summary.losses;
        const counted = config.optimizer === 'lbfgs' && config.lbfgsRounds ? 'evaluations in L-BFGS outer iterations' : 'iterations';
        process.stderr.write(
          `wrote ${config.output} (${summary.size.join('x')}, ${summary.evaluations} ${counted} on ${summary.backend} in ${summary.seconds.toFixed(1)} s; ` +
            `loss ${l.total.toExponential(3)}: content ${l.content.toExponential(3)}, style ${l.style.toExponential(3)}, tv ${l.tv.toExponential(3)}); ` +
            `stopped: ${describeStopReason(summary.reason)}\n`,
        );
        if (summary.interrupted) process.exitCode = EXIT_INTERRUPTED;
      } catch (e) {
        if (!(e instanceof RunFailedError)) throw e;
        process.stderr.write(`nst: ${e.message}\n`);
        process.exitCode = EXIT_RUN_FAILED;
      }
    });
}
