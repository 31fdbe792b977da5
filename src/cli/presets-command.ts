/** `nst presets`: every recipe `nst stylize --preset NAME` can run, where it comes from and what it sets. */
import type { Command } from 'commander';
import { PRESETS, presetFlags, type Preset } from '../stylize/presets.js';

export function describePreset(preset: Preset): string[] {
  const lines = [`${preset.name}`, `  from: ${preset.source}`];
  if (preset.waitsFor) lines.push(`  not yet: needs ${preset.waitsFor}`);
  const flags = presetFlags(preset);
  if (!preset.waitsFor) lines.push(`  sets: ${flags === '' ? '(nothing: the defaults of nst stylize)' : flags}`);
  for (const choice of preset.choices) lines.push(`  - ${choice}`);
  return lines;
}

export function registerPresets(program: Command): void {
  program
    .command('presets')
    .description('list the recipes of the source articles that nst stylize --preset NAME runs')
    .action(() => {
      process.stdout.write(PRESETS.map((p) => describePreset(p).join('\n')).join('\n\n') + '\n');
    });
}
