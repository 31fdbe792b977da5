/** `nst weights import|download`: get VGG19 weights into the project's .nstw format. */
import { Command, Option } from 'commander';
import { convertWeights, type WrittenWeights } from '../weights/convert.js';
import { DEFAULT_DOWNLOAD_SOURCE, DOWNLOAD_SOURCE_NAMES, type DownloadSourceName } from '../weights/download-sources.js';
import { downloadWeights } from '../weights/download-weights.js';
import { STORAGE_DTYPES, type StorageDtype } from '../weights/format.js';
import { DEFAULT_WEIGHTS_PATH } from '../weights/locate.js';
import { createProgress } from '../weights/progress.js';

interface OutputOptions {
  output: string;
  dtype?: StorageDtype;
}

function outputOptions(command: Command): Command {
  return command
    .option('-o, --output <file>', 'where to write the .nstw file', DEFAULT_WEIGHTS_PATH)
    .addOption(
      new Option('--dtype <dtype>', 'storage type (default: uint8 for the uint8 bundle, float16 otherwise)').choices(STORAGE_DTYPES),
    );
}

function reportWritten(written: WrittenWeights): void {
  const megabytes = (written.sizeBytes / (1024 * 1024)).toFixed(1);
  process.stdout.write(
    `wrote ${written.path} (${megabytes} MB, ${written.sizeBytes} bytes, ${written.dtype}, from ${written.sourceKind})\n` +
      `sha256 ${written.sha256}\n`,
  );
}

export function registerWeightsCommand(program: Command): void {
  const weights = program.command('weights').description('get the VGG19 weights into the project format (.nstw)');

  outputOptions(
    weights
      .command('import')
      .description('convert a uint8 bundle directory, a torchvision .pth or a Keras .h5 into a .nstw file')
      .argument('<source>', 'e.g. ../shared/weights/vgg19-uint8'),
  ).action((source: string, options: OutputOptions) => {
    reportWritten(convertWeights({ source, output: options.output, dtype: options.dtype }));
  });

  outputOptions(
    weights
      .command('download')
      .description('download official VGG19 weights (needs internet), verify their checksum, convert them')
      .addOption(new Option('--source <source>', 'which official weights').choices(DOWNLOAD_SOURCE_NAMES).default(DEFAULT_DOWNLOAD_SOURCE))
      .option('--url <url>', 'download from this URL instead (a mirror of the same file)'),
  ).action(async (options: OutputOptions & { source: DownloadSourceName; url?: string }) => {
    const { downloaded, written } = await downloadWeights({ ...options, progress: createProgress() });
    process.stdout.write(`downloaded ${downloaded}\n`);
    reportWritten(written);
  });
}
