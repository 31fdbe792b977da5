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
} from '../optim/index.js';
import type { StylizeConfig } from './config.js';

export interface OptimizeHooks {
  onEvaluation: OnEvaluation;
  /** After each iteration as --iterations counts them, with the current point. */
  onIteration: (iteration: number, x: Float32Array) => void;
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
  if (config.optimizer === 'lbfgs' && config.lbfgsRounds) {
    return lbfgsRounds(f, x0, {
      rounds: config.iterations,
      ...config.lbfgsRounds,
      history: config.lbfgsHistory,
      lineSearch: config.lineSearch,
      learningRate: config.learningRate,
      project,
      onEvaluation: hooks.onEvaluation,
      onRound: hooks.onIteration,
    });
  }
  // Otherwise an iteration is an evaluation.
  const onEvaluation: OnEvaluation = async (info) => {
    const verdict = await hooks.onEvaluation(info);
    hooks.onIteration(info.evaluation, info.x);
    return verdict;
  };
  const budget = { maxEvaluations: config.iterations, onEvaluation };
  switch (config.optimizer) {
    case 'lbfgs':
      return lbfgs(f, x0, {
        ...budget,
        history: config.lbfgsHistory,
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
