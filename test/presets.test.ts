/**
 * Presets as configurations: what each sets, that options given on the command line override
 * them (and drop the preset's settings that went with an overridden option), and the options
 * a configuration cannot take, each refused with one message naming the option.
 */
import { describe, expect, it } from 'vitest';
import { parseStylizeConfig, type RawStylizeOptions, type StylizeConfig } from '../src/stylize/config.js';
import { STYLIZE_DEFAULTS as D } from '../src/stylize/defaults.js';
import { PRESETS } from '../src/stylize/presets.js';
import { UserError } from '../src/errors.js';

/** parse(raw) throws a UserError with one line matching `message`. */
function expectRefused(raw: RawStylizeOptions, message: RegExp): void {
  expect(() => parse(raw)).toThrow(UserError);
  expect(() => parse(raw)).toThrow(message);
}

const parse = (raw: RawStylizeOptions): StylizeConfig => parseStylizeConfig('c.jpg', ['s.jpg'], { output: 'o.png', seed: '1', ...raw });

describe('presets', () => {
  it('neural-style is exactly the defaults', () => {
    // How each was asked for (invocation) differs, by the preset; what they ask for must not.
    const { preset, invocation: _asked, ...withPreset } = parse({ preset: 'neural-style' });
    const { invocation: _plainAsked, ...plain } = parse({});
    expect(preset).toBe('neural-style');
    expect(withPreset).toEqual(plain);
    expect(parse({}).iterations).toBe(D.iterations);
  });

  it('keras sets the keras.io example: SGD with decay, TV^1.25, the Keras loss forms', () => {
    const c = parse({ preset: 'keras' });
    expect(c).toMatchObject({
      contentLayers: ['relu5_2'],
      contentWeight: 2.5e-8,
      contentLoss: 'sum',
      styleWeight: 1e-6,
      styleLoss: 'sum',
      gramNorm: 'keras',
      styleWeightSplit: 'shared',
      styleResize: 'stretch',
      tv: { norm: 'pow', power: 1.25 },
      tvWeight: 1e-6,
      optimizer: 'sgd',
      learningRate: 100,
      lrDecay: { rate: 0.96, steps: 100, staircase: false },
      iterations: 4000,
      pixelSpace: 'network',
      clip: null,
    });
  });

  it('keras-lbfgs and keras-lbfgs-book: L-BFGS in 20 rounds, by maxiter 5 (article 000) or maxfun 20 (article 004)', () => {
    expect(parse({ preset: 'keras-lbfgs' })).toMatchObject({
      lbfgsRounds: { maxIterations: 5 },
      iterations: 20,
      init: 'uniform',
      clip: [-128, 127],
      tv: { norm: 'abs' },
      contentWeight: 0.025,
      styleWeight: 1,
      tvWeight: 1,
    });
    expect(parse({ preset: 'keras-lbfgs-book' })).toMatchObject({
      lbfgsRounds: { maxfun: 20 },
      iterations: 20,
      init: 'content',
      clip: null,
      tv: { norm: 'pow', power: 1.25 },
      tvWeight: 1e-4,
    });
  });

  it("tf-adam: article 000's Adam on [0, 1] pixels, clipped", () => {
    expect(parse({ preset: 'tf-adam' })).toMatchObject({
      optimizer: 'adam',
      learningRate: 0.02,
      adam: { beta1: 0.99, beta2: 0.999, epsilon: 0.1, epsilonForm: 'keras' },
      pixelSpace: 'unit',
      clip: [0, 1],
      gramNorm: 'hw',
      tv: { norm: 'abs' },
      tvWeight: 30,
    });
  });

  it('every preset names its source article', () => {
    for (const p of PRESETS.filter((p) => p.name !== 'neural-style')) expect(p.source).toMatch(/articles? 00\d/);
  });

  describe('options given on the command line override the preset', () => {
    it('a plain option', () => {
      expect(parse({ preset: 'keras', contentWeight: '1', iterations: '7' })).toMatchObject({ contentWeight: 1, iterations: 7, optimizer: 'sgd' });
    });
    it("--optimizer drops the preset's optimiser settings (they were chosen for its optimiser)", () => {
      expect(parse({ preset: 'keras', optimizer: 'adam' })).toMatchObject({
        optimizer: 'adam',
        learningRate: D.learningRate.adam,
        lrDecay: null,
        iterations: D.iterations,
        gramNorm: 'keras', // the objective stays the preset's
      });
      expect(parse({ preset: 'tf-adam', optimizer: 'lbfgs' })).toMatchObject({ optimizer: 'lbfgs', clip: null, lbfgsRounds: null });
    });
    it("--tv-norm drops the preset's --tv-power", () => {
      expect(parse({ preset: 'keras', tvNorm: 'abs' }).tv).toEqual({ norm: 'abs' });
    });
    it("--pixel-space drops the preset's clipping bounds and learning rate", () => {
      expect(parse({ preset: 'tf-adam', pixelSpace: 'network' })).toMatchObject({ clip: null, learningRate: D.learningRate.adam });
    });
  });

  describe('refuses what a configuration cannot take, naming the option', () => {
    const cases: Array<[string, RawStylizeOptions, RegExp]> = [
      ['an unknown preset', { preset: 'picasso' }, /^--preset: unknown preset 'picasso' \(known: neural-style, keras/],
      ['a TV term in the torchvision pixel space', { preset: 'pytorch-squeezenet', tvWeight: '1e-3' }, /^--tv-weight 0\.001: --pixel-space torchvision takes no total variation term/],
      ['--tv-power with a squared TV', { tvPower: '2' }, /^--tv-power: only with --tv-norm pow; here --tv-norm is squared \(the default\)$/],
      ['--tv-power with a preset\'s abs TV', { preset: 'keras-lbfgs', tvPower: '2' }, /^--tv-power: only with --tv-norm pow; here --tv-norm is abs \(set by --preset keras-lbfgs\)$/],
      ['a TV power below 1/2', { tvNorm: 'pow', tvPower: '0.25' }, /^--tv-power: expected a number >= 0\.5/],
      ['a decay rate above 1', { optimizer: 'sgd', lrDecayRate: '1.5', lrDecaySteps: '10' }, /^--lr-decay-rate: expected a number in \(0, 1\], got '1\.5'$/],
      ['a decay rate of 0', { preset: 'keras', lrDecayRate: '0' }, /^--lr-decay-rate: expected a number in \(0, 1\], got '0'$/],
      ['a decay rate without steps', { optimizer: 'adam', lrDecayRate: '0.9' }, /^--lr-decay-rate: give --lr-decay-steps too/],
      ['decay steps without a rate', { optimizer: 'adam', lrDecaySteps: '9' }, /^--lr-decay-steps: only with --lr-decay-rate$/],
      ['a decay for L-BFGS', { lrDecayRate: '0.9', lrDecaySteps: '9' }, /^--lr-decay-rate: only with --optimizer sgd or adam .*here --optimizer is lbfgs \(the default\)$/],
      ['a negative beta', { optimizer: 'adam', adamBeta1: '-0.1' }, /^--adam-beta1: expected a number in \[0, 1\), got '-0\.1'$/],
      ['a beta of 1', { preset: 'tf-adam', adamBeta2: '1' }, /^--adam-beta2: expected a number in \[0, 1\)/],
      ['epsilon 0', { optimizer: 'adam', adamEpsilon: '0' }, /^--adam-epsilon: expected a number > 0/],
      ["Adam's settings for L-BFGS", { preset: 'keras-lbfgs', adamBeta1: '0.9' }, /^--adam-beta1: only with --optimizer adam; here --optimizer is lbfgs \(set by --preset keras-lbfgs\)$/],
      ["L-BFGS's settings for Adam", { preset: 'tf-adam', lbfgsHistory: '5' }, /^--lbfgs-history: only with --optimizer lbfgs; here --optimizer is adam \(set by --preset tf-adam\)$/],
      ['rounds for SGD', { optimizer: 'sgd', lbfgsMaxfun: '20' }, /^--lbfgs-maxfun: only with --optimizer lbfgs; here --optimizer is sgd \(given\)$/],
      ['a zero maxfun', { lbfgsMaxfun: '0' }, /^--lbfgs-maxfun: expected a positive integer/],
      ['clipping bounds in the wrong order', { optimizer: 'adam', clip: '1,0' }, /^--clip: expected two numbers lo,hi with lo < hi, got '1,0'$/],
      ['one clipping bound', { optimizer: 'adam', clip: '5' }, /^--clip: expected two numbers/],
      ['clipping in one L-BFGS run', { clip: '0,1' }, /^--clip: L-BFGS clips between outer iterations only/],
      ['an unknown TV norm', { tvNorm: 'l3' }, /^--tv-norm: expected one of squared, abs, pow, got 'l3'$/],
      ['an unknown Gram normalisation', { gramNorm: 'cc' }, /^--gram-norm: expected one of chw, hw, keras/],
      ['an unknown pixel space', { pixelSpace: 'bgr' }, /^--pixel-space: expected one of network, unit/],
      ['an unknown optimiser', { optimizer: 'rmsprop' }, /^--optimizer: expected one of lbfgs, adam, sgd/],
    ];
    for (const [name, raw, message] of cases) it(name, () => expectRefused(raw, message));
  });
});
