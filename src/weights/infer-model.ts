/**
 * Which network a weights source holds, told from the names of its conv weight tensors (and,
 * where two networks share every name, as SqueezeNet 1.0 and 1.1 do in a bundle, from their
 * kernel sizes). Channel counts are not looked at: they are checked against the network
 * afterwards (assertArchitecture), with a message naming the tensor and both shapes.
 */
import { UserError } from '../errors.js';
import { convNodes, type ConvNode, type NetworkDescription } from '../models/description.js';
import { MODELS } from '../models/index.js';

export interface SourceNaming {
  /** 'torchvision's', 'Keras'', 'bundle': how the messages name the kind of source. */
  kind: string;
  /** What the source calls a conv's weight tensor, or null when the network never comes in this kind of source. */
  nameOf(model: NetworkDescription, conv: ConvNode): string | null;
}

/** `found`: every conv weight tensor of the source, by its name there, with its kernel side. */
export function inferModel(label: string, found: ReadonlyMap<string, number>, naming: SourceNaming): NetworkDescription {
  const candidates = Object.values(MODELS).flatMap((model) => {
    const names = convNodes(model).map((conv) => ({ conv, name: naming.nameOf(model, conv) }));
    return names.every((n) => n.name !== null) ? [{ model, names: names as Array<{ conv: ConvNode; name: string }> }] : [];
  });
  const sameNames = candidates.filter(({ names }) => names.length === found.size && names.every(({ name }) => found.has(name)));
  const sameKernels = sameNames.filter(({ names }) => names.every(({ conv, name }) => found.get(name) === conv.kernel));
  const match = sameKernels[0] ?? sameNames[0];
  if (match) return match.model;

  const overlap = (names: Array<{ name: string }>) => names.filter(({ name }) => found.has(name)).length;
  const closest = candidates.reduce((a, b) => (overlap(b.names) > overlap(a.names) ? b : a));
  const known = candidates.map((c) => c.model.name).join(', ');
  if (overlap(closest.names) === 0) throw new UserError(`${label}: holds none of the conv weights of ${naming.kind} ${known}`);
  const missing = closest.names.find(({ name }) => !found.has(name));
  if (missing) {
    throw new UserError(`${label}: has no '${missing.name}' (${missing.conv.weights}); expected ${naming.kind} ${closest.model.name} weights`);
  }
  const expected = new Set(closest.names.map(({ name }) => name));
  const extra = [...found.keys()].find((name) => !expected.has(name));
  throw new UserError(`${label}: '${extra}' is not a conv of ${naming.kind} ${closest.model.name}, the closest network (known: ${known})`);
}
