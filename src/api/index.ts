/**
 * neural-style-gl as a library: `import { stylize, createEngine } from 'neural-style-gl'`.
 * Images in and out as { width, height, data } RGBA (a canvas's ImageData, pngjs, jpeg-js);
 * the options of `nst stylize` by their camelCase names with the same defaults
 * (STYLIZE_DEFAULTS) and presets (PRESETS). No Node built-ins on this path but for reading a
 * weights file by its path: the same module runs in a browser (playground/).
 */
export { createEngine, NonFiniteLossError, stylize, StyleEngine } from './engine.js';
export type { BoundaryEvent, EngineOptions, EngineSettings, EvaluationEvent, ProgressEvent, RunPlan, RunRequest, StylizeResult, StylizeRun } from './engine.js';
export type { BestPoint, RunResumption, ScalePosition } from '../stylize/stylizer.js';
export type { Boundary, OptimizerState } from '../optim/index.js';
export type { ChunkVisitor, PairStorage, PairStorageFactory, PairVector } from '../optim/pair-storage.js';
export type { StateVector, StreamedVector } from '../optim/state.js';
export type { StylizeOptions } from './options.js';
export { loadWeights, type WeightsSource } from './weights.js';
export type { InputImage, RgbaImage } from '../image/rgba.js';
export type { LossBreakdown } from '../loss/objective.js';
export type { BackendName, BackendRequest } from '../engine/backend.js';
export type { StopReason } from '../optim/index.js';
export { UserError } from '../errors.js';
export { BackendRunError } from '../stylize/stylizer.js';
export { STYLIZE_DEFAULTS } from '../stylize/defaults.js';
export { PRESETS } from '../stylize/presets.js';
