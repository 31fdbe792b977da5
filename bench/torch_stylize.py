"""PyTorch reference for `npm run bench:run`: a whole style transfer run, or the objective of a finished image.

The objective is `nst stylize`'s with its defaults (DESIGN.md section 1; bench/torch_objective.py
has the same terms): content relu4_2, style relu1_1 relu2_1 relu3_1 relu4_1 relu5_1, weights
5 / 100 / 1e-3, Gram matrices / (C H W), max pooling, on the real VGG19 weights of
../shared/weights/vgg19-uint8 (dequantised by scripts/vgg19_torch.py, as for the test fixtures).
The images are decoded and resized by the project itself (dumped through node, so both sides
optimise the very same floats): the content scaled to a longest side of --size, the style to
--size as well (style scale 1), init from the content.

  run:       L-BFGS as neural-style-pt runs it (torch.optim.LBFGS, lr 1, no line search, one
             evaluation per iteration, history 100, no tolerance stop), --iterations times;
             prints the loss every --print-every iterations and the final terms as JSON.
  --evaluate IMAGE: the objective's terms for IMAGE (e.g. what `nst stylize` wrote), at the
             size of the content: an independent measure of our result.

A benchmark tool, never a runtime dependency. Run from the repository root after
`npm run build`, with Debian's /usr/bin/python3 (python3-torch):

  /usr/bin/python3 bench/torch_stylize.py --size 512 --iterations 500 --threads 2
  /usr/bin/python3 bench/torch_stylize.py --size 512 --evaluate out.png
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, '..', 'scripts')]
from torch_objective import build_vgg, objective_terms, targets  # noqa: E402  (the same network and loss terms as the timing benchmark)
from vgg19_torch import load_real_weights  # noqa: E402  (the weights as the fixture generators load them)

IMAGES = '../shared/images'

# Decodes, scales (longest side) and preprocesses an image with the project's own code.
DUMP_IMAGE = """
import { readImage, resize, fitLongestSide, toNetworkInput } from './dist/src/image/index.js';
import { VGG_MEAN_RGB } from './dist/src/models/vgg-family.js';
const [path, longest, width, height] = process.argv.slice(1);
const img = readImage(path);
const [w, h] = width ? [Number(width), Number(height)] : fitLongestSide(img.width, img.height, Number(longest));
const x = toNetworkInput(w === img.width && h === img.height ? img : resize(img, w, h), VGG_MEAN_RGB);
process.stdout.write(JSON.stringify([w, h]) + '\\n');
process.stdout.write(Buffer.from(x.buffer, x.byteOffset, x.byteLength));
"""


def network_input(path, longest=0, size=None):
    """[1, 3, H, W] preprocessed image: scaled to a longest side, or to an exact (width, height)."""
    args = [path, str(longest)] + ([str(size[0]), str(size[1])] if size else [])
    raw = subprocess.run(['node', '--input-type=module', '-e', DUMP_IMAGE, *args], check=True, capture_output=True).stdout
    header, data = raw.split(b'\n', 1)
    w, h = json.loads(header)
    return torch.from_numpy(np.frombuffer(data, dtype=np.float32).reshape(1, 3, h, w).copy())


class Objective:
    def __init__(self, net, names, content, style):
        self.net, self.names = net, names
        self.content_target, self.style_targets = targets(net, names, content, style)

    def terms(self, x):
        return objective_terms(self.net, self.names, x, self.content_target, self.style_targets)

    def report(self, x):
        with torch.no_grad():
            content, style, tv = self.terms(x)
        return {'content': content.item(), 'style': style.item(), 'tv': tv.item(), 'total': (content + style + tv).item()}


def run(objective, x, iterations, print_every):
    x = x.clone().requires_grad_(True)
    optimizer = torch.optim.LBFGS([x], lr=1, max_iter=iterations, history_size=100, tolerance_grad=-1, tolerance_change=-1)
    curve, evaluations = [], [0]
    start = time.perf_counter()

    def closure():
        optimizer.zero_grad()
        loss = sum(objective.terms(x))
        loss.backward()
        evaluations[0] += 1
        if evaluations[0] % print_every == 0 or evaluations[0] == 1:
            curve.append({'evaluation': evaluations[0], 'total': loss.item(), 'seconds': time.perf_counter() - start})
            print(f'evaluation {evaluations[0]}: total {loss.item():.6g}', file=sys.stderr)
        return loss

    optimizer.step(closure)
    return x.detach(), curve, time.perf_counter() - start, evaluations[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--size', type=int, default=512, help='longest side of the content, px')
    parser.add_argument('--content', default=os.path.join(IMAGES, 'tubingen.jpg'))
    parser.add_argument('--style', default=os.path.join(IMAGES, 'starry_night.jpg'))
    parser.add_argument('--iterations', type=int, default=500)
    parser.add_argument('--print-every', type=int, default=25)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--evaluate', metavar='IMAGE', help="report the objective's terms for IMAGE instead of running")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    net, names = build_vgg()
    load_real_weights(net)
    content = network_input(args.content, args.size)
    style = network_input(args.style, args.size)
    objective = Objective(net, names, content, style)
    report = {'torch_version': torch.__version__, 'threads': torch.get_num_threads(), 'size': list(content.shape[2:][::-1])}
    if args.evaluate:
        image = network_input(args.evaluate, size=(content.shape[3], content.shape[2]))
        report.update({'image': args.evaluate, 'losses': objective.report(image)})
    else:
        result, curve, seconds, evaluations = run(objective, content, args.iterations, args.print_every)
        report.update({'optimizer': 'torch.optim.LBFGS(lr=1, history_size=100, no line search)', 'evaluations': evaluations,
                       'seconds': seconds, 'losses': objective.report(result), 'curve': curve})
    print(json.dumps(report, indent=2))


if __name__ == '__main__':
    main()
