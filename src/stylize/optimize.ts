/**
 * The optimiser a configuration asks for, run on the recipe's objective. Two counts come back
 * to the caller: every objective evaluation (for the trace and for Ctrl-C), and every
 * iteration as --iterations counts them (for progress and checkpoints), which are the same
 * except for L-BFGS in rounds, where an iteration is a round.
 */
import {
  adam,
  exponentialDecay,
  lbfgs,
  lbfgsRounds,
  sgd,
  type LearningRate,
  type Objective,
  type OnEvaluation,
  type OptimResult,
  type Projection,
  type ResumeOptions,
  type Boundary,
  type OptimizerState,
} from '../optim/index.js';
import type { PairStorageFactory } from '../optim/pair-storage.js';
import type { StylizeConfig } from './config.js';

export interface OptimizeHooks {
  onEvaluation: OnEvaluation;
  /** After each iteration as --iterations counts them, with the current point. */
  onIteration: (iteration: number, x: Float32Array) => void;
  /** At each of the optimiser's iteration boundaries, with the iterations (as --iterations counts them) done before it. */
  onBoundary?: (iteration: number, boundary: Boundary) => void;
  /** The optimiser's state to go on from (a checkpoint's). */
  resume?: OptimizerState;
  /** Where L-BFGS keeps its pairs; default in memory. */
  historyStorage?: PairStorageFactory;
}

/** Clips every value to [lo, hi]. */
export function clipTo([lo, hi]: [number, number]): Projection {
  return (x) => {
    for (let i = 0; i < x.length; i++) x[i] = Math.min(hi, Math.max(lo, x[i]));
  };
}

function learningRateOf(config: StylizeConfig): LearningRate {
  const decay = config.lrDecay;
  return decay ? exponentialDecay({ initial: config.learningRate, ...decay }) : config.learningRate;
}

export async function optimize(config: StylizeConfig, f: Objective, x0: Float32Array, hooks: OptimizeHooks): Promise<OptimResult> {
  const project = config.clip ? clipTo(config.clip) : undefined;
  const rounds = config.optimizer === 'lbfgs' && config.lbfgsRounds;
  const resume: ResumeOptions = {
    resume: hooks.resume,
    onBoundary: hooks.onBoundary && ((b) => hooks.onBoundary!(rounds ? b.iterations : b.evaluations, b)),
  };
  if (rounds) {
    return lbfgsRounds(f, x0, {
      rounds: config.iterations,
      ...config.lbfgsRounds,
      history: config.lbfgsHistory,
      historyStorage: hooks.historyStorage,
      lineSearch: config.lineSearch,
      learningRate: config.learningRate,
      project,
      onEvaluation: hooks.onEvaluation,
      onRound: hooks.onIteration,
      ...resume,
    });
  }
  // Otherwise an iteration is an evaluation.
  const onEvaluation: OnEvaluation = async (info) => {
    const verdict = await hooks.onEvaluation(info);
    hooks.onIteration(info.evaluation, info.x);
    return verdict;
  };
  const budget = { maxEvaluations: config.iterations, onEvaluation, ...resume };
  switch (config.optimizer) {
    case 'lbfgs':
      return lbfgs(f, x0, {
        ...budget,
        history: config.lbfgsHistory,
        historyStorage: hooks.historyStorage,
        lineSearch: config.lineSearch,
        learningRate: config.learningRate,
        // Run the full budget, as neural-style does: no early stop on tolerances.
        tolFunction: -1,
        tolGradient: -1,
        tolChange: -1,
      });
    case 'adam':
      return adam(f, x0, { ...budget, learningRate: learningRateOf(config), ...config.adam, project });
    case 'sgd':
      return sgd(f, x0, { ...budget, learningRate: learningRateOf(config), project });
  }
}
