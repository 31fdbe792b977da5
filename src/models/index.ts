/** Every network `nst` can run, by the name `--model` takes. */
import { UserError } from '../errors.js';
import { MODEL_NAMES, type ModelName, type NetworkDescription } from './description.js';
import { SQUEEZENET1_0 } from './squeezenet1_0.js';
import { SQUEEZENET1_1 } from './squeezenet1_1.js';
import { VGG16 } from './vgg16.js';
import { VGG19 } from './vgg19.js';

export const MODELS: Readonly<Record<ModelName, NetworkDescription>> = {
  vgg19: VGG19,
  vgg16: VGG16,
  squeezenet1_1: SQUEEZENET1_1,
  squeezenet1_0: SQUEEZENET1_0,
};

export function isModelName(name: string): name is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(name);
}

/** The network called `name`; `option` names where the name came from in the error. */
export function modelNamed(name: string, option = '--model'): NetworkDescription {
  if (!isModelName(name)) throw new UserError(`${option}: unknown network '${name}' (known: ${MODEL_NAMES.join(', ')})`);
  return MODELS[name];
}
