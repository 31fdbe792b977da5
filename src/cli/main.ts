import { Command, CommanderError } from 'commander';
import { isUserError } from '../errors.js';
import { registerDoctor } from './doctor-command.js';
import { registerPresets } from './presets-command.js';
import { registerStylize } from './stylize-command.js';
import { registerWeightsCommand } from './weights-command.js';

/** Exit code for bad input: a file, an option or the machine cannot do what was asked. */
export const EXIT_USAGE = 2;

export function buildProgram(): Command {
  const program = new Command('nst')
    .description('Neural style transfer (Gatys et al.) on hand-written gpu.js kernels')
    .showHelpAfterError(false)
    .exitOverride();
  registerDoctor(program);
  registerStylize(program);
  registerPresets(program);
  registerWeightsCommand(program);
  return program;
}

/** Runs the CLI: user errors become one line on stderr and exit code 2, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    // A command that ended on purpose with another code (Ctrl-C, a failed check) set it here.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander already printed its message (help, version, or a usage error)
      return e.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (isUserError(e)) {
      process.stderr.write(`nst: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
}
