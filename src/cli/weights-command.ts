/** `nst weights import|download`: get a network's weights into the project format (.nstw). */
import { Command, Option } from 'commander';
import { MODEL_NAMES, type ModelName } from '../models/description.js';
import { MODELS } from '../models/index.js';
import { convertWeights, type WrittenWeights } from '../weights/convert.js';
import { DOWNLOAD_SOURCE_NAMES, type DownloadSourceName } from '../weights/download-sources.js';
import { downloadWeights } from '../weights/download-weights.js';
import { STORAGE_DTYPES, type StorageDtype } from '../weights/format.js';
import { createProgress } from '../weights/progress.js';

interface OutputOptions {
  output?: string;
  dtype?: StorageDtype;
}

function outputOptions(command: Command): Command {
  return command
    .option('-o, --output <file>', 'where to write the .nstw file (default: weights/<network>.nstw)')
    .addOption(
      new Option('--dtype <dtype>', 'storage type (default: uint8 for the uint8 bundle, float32 for the float32 bundle, float16 otherwise)').choices(STORAGE_DTYPES),
    );
}

function reportWritten(written: WrittenWeights): void {
  const megabytes = (written.sizeBytes / (1024 * 1024)).toFixed(1);
  process.stdout.write(
    `found ${written.model} (${MODELS[written.model].title}) weights in the ${written.sourceKind} source\n` +
      `wrote ${written.path} (${megabytes} MB, ${written.sizeBytes} bytes, ${written.dtype}, from ${written.sourceKind})\n` +
      `sha256 ${written.sha256}\n`,
  );
}

export function registerWeightsCommand(program: Command): void {
  const weights = program.command('weights').description(`get network weights (${MODEL_NAMES.join(', ')}) into the project format (.nstw)`);

  outputOptions(
    weights
      .command('import')
      .description('convert a weights bundle directory, a torchvision .pth or a Keras .h5 into a .nstw file; the network is told from the source')
      .argument('<source>', 'e.g. ../shared/weights/vgg19-uint8 or ../shared/weights/squeezenet1_1'),
  ).action((source: string, options: OutputOptions) => {
    reportWritten(convertWeights({ source, output: options.output, dtype: options.dtype }));
  });

  outputOptions(
    weights
      .command('download')
      .description('download official weights (needs internet), verify their checksum, convert them')
      .addOption(new Option('--model <network>', 'which network').choices(MODEL_NAMES).default('vgg19'))
      .addOption(new Option('--source <source>', 'which official weights (default: keras where it has the network, else torch)').choices(DOWNLOAD_SOURCE_NAMES))
      .option('--url <url>', 'download from this URL instead (a mirror of the same file)'),
  ).action(async (options: OutputOptions & { model: ModelName; source?: DownloadSourceName; url?: string }) => {
    const { downloaded, written } = await downloadWeights({ ...options, progress: createProgress() });
    process.stdout.write(`downloaded ${downloaded}\n`);
    reportWritten(written);
  });
}
