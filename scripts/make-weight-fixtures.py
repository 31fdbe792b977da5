#!/usr/bin/python3
"""Writes the small SYNTHETIC weight files under test/fixtures/weights/, one per source format
the importers read, plus expected.json: values computed here, with numpy/torch, in the project's
canonical layout (conv weight OIHW, RGB input, 0..255 minus a mean) for the tests to compare with.

The VGG19 files have VGG19's 16 conv layer names but tiny channel counts (see BLOCKS) so that all
the fixtures stay well under 500 KB; real shapes are only enforced when the network loads them.
The other networks (torchvision's vgg16, squeezenet1_1 and squeezenet1_0 state dicts, Keras'
VGG16) have their real topology, kernels and key names with every channel count divided by
NETWORK_DIVISORS, and their own expected values in expected-networks.json.
No real weights are used or derived: every value comes from a seeded random generator.

Run from anywhere with Debian's interpreter:  /usr/bin/python3 scripts/make-weight-fixtures.py
Needs python3-numpy, python3-torch and python3-h5py (test fixtures only, never a runtime dependency).
"""
import collections
import hashlib
import json
import os
import pickle
import shutil
import struct

import h5py
import numpy as np
import torch
import torch.nn.functional as F

import torch_networks  # scripts/torch_networks.py: torchvision's layouts

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'weights')
RNG = np.random.default_rng(20240601)

# (block, convs, channels): VGG19's blocks with distinct tiny channel counts, so that a mixed-up
# axis or layer shows as a shape error instead of passing by accident.
BLOCKS = [(1, 2, 4), (2, 2, 6), (3, 4, 8), (4, 4, 5), (5, 4, 7)]

# Input conventions (R, G, B).
VGG_MEAN_RGB = np.array([123.68, 116.779, 103.939])
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406])
IMAGENET_STD = np.array([0.229, 0.224, 0.225])


def tiny_convs():
    """[(name, in_channels, out_channels)] in network order, like VGG19_CONVS."""
    convs, cin = [], 3
    for block, count, channels in BLOCKS:
        for i in range(1, count + 1):
            convs.append((f'conv{block}_{i}', cin, channels))
            cin = channels
    return convs


def torchvision_feature_indices():
    """torchvision's vgg19.features: conv, ReLU per conv layer and one MaxPool after each block."""
    indices, position = [], 0
    for _, count, _ in BLOCKS:
        for _ in range(count):
            indices.append(position)
            position += 2
        position += 1
    return indices


def summarise(array):
    """A few sampled values plus two sums that catch any changed or permuted element."""
    flat = np.asarray(array, dtype=np.float32).ravel().astype(np.float64)
    position_weights = (np.arange(flat.size) % 13) + 1
    picks = sorted({0, flat.size - 1, *RNG.integers(0, flat.size, 4).tolist()})
    return {
        'shape': list(array.shape),
        'sum': float(flat.sum()),
        'weighted_sum': float((flat * position_weights).sum()),
        'samples': [
            {'index': [int(i) for i in np.unravel_index(k, array.shape)], 'value': float(flat[k])}
            for k in picks
        ],
    }


def summarise_model(weights):
    """weights: {name: (oihw float32, bias float32)} -> expected.json entry."""
    return {name: {'weight': summarise(w), 'bias': summarise(b)} for name, (w, b) in weights.items()}


def random_float_weights():
    return {
        name: ((RNG.standard_normal((cout, cin, 3, 3)) * 0.2).astype(np.float32),
               (RNG.standard_normal(cout) * 0.5).astype(np.float32))
        for name, cin, cout in tiny_convs()
    }


# ---------------------------------------------------------------- uint8 bundle (neuralpixels layout)

def write_uint8_bundle(directory):
    os.makedirs(directory)
    entries, canonical, total = {}, {}, 0
    for name, cin, cout in tiny_convs():
        q_kernel_oihw = RNG.integers(0, 256, (cout, cin, 3, 3), dtype=np.uint8)
        q_bias = RNG.integers(0, 256, cout, dtype=np.uint8)
        dequantised = {}
        for part, q, stored in (
            # the bundle stores kernels as [kx][ky][cin][cout]: OIHW axes (o,i,h,w) -> (w,h,i,o)
            ('kernel', q_kernel_oihw, q_kernel_oihw.transpose(3, 2, 1, 0)),
            ('bias', q_bias, q_bias),
        ):
            scale = float(RNG.uniform(1e-3, 6e-3))
            min_value = -scale * float(RNG.uniform(60, 200))
            raw = np.ascontiguousarray(stored).tobytes()
            filename = f'{name}_{part}'
            with open(os.path.join(directory, filename), 'wb') as f:
                f.write(raw)
            entries[f'{name}/{part}'] = {
                'filename': filename,
                'size': len(raw),
                'dtype': 'float32',
                'quantization': {'dtype': 'uint8', 'scale': scale, 'min_value': min_value},
                'shape': list(stored.shape),
                'checksum': hashlib.md5(raw).hexdigest(),
            }
            total += len(raw)
            dequantised[part] = (q.astype(np.float64) * scale + min_value).astype(np.float32)
        canonical[name] = (dequantised['kernel'], dequantised['bias'])
    manifest = {'name': 'vgg19-tiny-synthetic', 'version': '0.0.1', 'format': 2.0,
                'total_size': total, 'quantized': True, 'weights': entries}
    with open(os.path.join(directory, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=2)
    return canonical


# ---------------------------------------------------------------- torchvision state dicts

def torchvision_state_dict(weights):
    """weights in torchvision's own convention (RGB, 0..1 input normalised by ImageNet mean/std)."""
    state = collections.OrderedDict()
    for (name, (w, b)), index in zip(weights.items(), torchvision_feature_indices()):
        state[f'features.{index}.weight'] = torch.from_numpy(w)
        state[f'features.{index}.bias'] = torch.from_numpy(b)
    # Strided and offset tensors, as torch.save writes views: the reader must honour both.
    conv2_1 = state['features.5.weight']
    state['features.5.weight'] = conv2_1.permute(1, 0, 2, 3).contiguous().permute(1, 0, 2, 3)
    padded_bias = torch.zeros(state['features.7.bias'].numel() + 3)
    padded_bias[2:-1] = state['features.7.bias']
    state['features.7.bias'] = padded_bias[2:-1]
    state['classifier.0.weight'] = torch.ones(2, 3)  # ignored by the importer
    state['classifier.0.bias'] = torch.zeros(2)
    state._metadata = collections.OrderedDict({'': {'version': 1}})
    return state


def torch_to_canonical(weights):
    """Converts conv1_1 from torchvision's input convention to ours (see weights/FORMAT.md):
    x_torch = (x/255 - m)/s  and  x_ours = x - M  give
    w' = w / (255 s_c)   and   b' = b + sum_{c,h,w} w'[o,c,h,w] * (M_c - 255 m_c)."""
    canonical = dict(weights)
    w, b = (a.astype(np.float64) for a in weights['conv1_1'])
    w_ours = w / (255.0 * IMAGENET_STD)[None, :, None, None]
    b_ours = b + np.einsum('ochw,c->o', w_ours, VGG_MEAN_RGB - 255.0 * IMAGENET_MEAN)
    canonical['conv1_1'] = (w_ours.astype(np.float32), b_ours.astype(np.float32))
    return canonical


def conv1_1_equivalence_case(weights):
    """conv1_1 applied by torch in torchvision's convention, on a small random image."""
    image = RNG.integers(0, 256, (3, 5, 6)).astype(np.float64)
    w, b = (torch.from_numpy(a.astype(np.float64)) for a in weights['conv1_1'])
    x = (torch.from_numpy(image) / 255.0 - torch.from_numpy(IMAGENET_MEAN)[:, None, None]) \
        / torch.from_numpy(IMAGENET_STD)[:, None, None]
    output = F.conv2d(x[None], w, b, padding=1)[0]
    return {'image_rgb_0_255': image.astype(int).tolist(), 'torch_output': output.numpy().tolist()}


class _Storage:
    def __init__(self, key, values):
        self.key, self.values = key, values


class _Legacy2017Pickler(pickle.Pickler):
    """Pickles tensors the ways torch 0.1/0.2 did: alternately as FloatTensor() + BUILD(state)
    and as torch._utils._rebuild_tensor(storage, offset, size, stride)."""

    def __init__(self, file):
        super().__init__(file, protocol=2)
        self.storages, self.count = [], 0

    def persistent_id(self, obj):
        if isinstance(obj, _Storage):
            return ('storage', torch.FloatStorage, obj.key, 'cpu', obj.values.size, None)
        return None

    def reducer_override(self, obj):
        if not isinstance(obj, torch.Tensor):
            return NotImplemented
        storage = _Storage(str(140000000 + 16 * len(self.storages)), obj.contiguous().numpy().ravel())
        self.storages.append(storage)
        state = (storage, 0, tuple(obj.shape), tuple(obj.contiguous().stride()))
        self.count += 1
        if self.count % 2:
            return (torch.FloatTensor, (), state)
        return (torch._utils._rebuild_tensor, state)


def write_torch_legacy_2017(path, state):
    with open(path, 'wb') as f:
        pickle.dump(0x1950a86a20f9469cfc6c, f, protocol=2)  # torch's legacy magic number
        pickle.dump(1001, f, protocol=2)  # legacy protocol version
        pickle.dump({'protocol_version': 1001, 'little_endian': True,
                     'type_sizes': {'short': 2, 'int': 4, 'long': 8}}, f, protocol=2)
        pickler = _Legacy2017Pickler(f)
        plain = collections.OrderedDict(state)  # no _metadata before torch 0.4
        pickler.dump(plain)
        storages = sorted(pickler.storages, key=lambda s: s.key)
        pickle.dump([s.key for s in storages], f, protocol=2)
        for storage in storages:
            f.write(struct.pack('<q', storage.values.size))
            f.write(storage.values.astype('<f4').tobytes())


def check_torch_loads(path, state):
    loaded = torch.load(path)
    for key, value in state.items():
        assert torch.equal(loaded[key], value), (path, key)


# ---------------------------------------------------------------- Keras HDF5

def write_keras_h5(path, canonical, blocks=BLOCKS):
    """Keras VGG 'notop' layout: root attr layer_names, per-layer group with attr weight_names
    naming datasets relative to the group; kernel HWIO; conv1_1 takes BGR input."""
    layer_names = ['input_1']
    with h5py.File(path, 'w') as f:
        f.create_group('input_1').attrs['weight_names'] = []
        index = 0
        for block, count, _ in blocks:
            for conv in range(1, count + 1):
                w, b = canonical[f'conv{block}_{conv}']
                layer = f'block{block}_conv{conv}'
                layer_names.append(layer)
                write_keras_conv(f.create_group(layer), layer, w, b, index)
                index += 1
            pool = f'block{block}_pool'
            layer_names.append(pool)
            f.create_group(pool).attrs['weight_names'] = []
        f.attrs['layer_names'] = [n.encode() for n in layer_names]
        f.attrs['backend'] = b'tensorflow'
        f.attrs['keras_version'] = b'2.0.0'


def write_keras_conv(group, layer, w, b, index):
    kernel_hwio = w.transpose(2, 3, 1, 0)
    if index == 0:
        kernel_hwio = kernel_hwio[:, :, ::-1, :]  # conv1_1: RGB -> BGR input channels
    # Old Keras named datasets 'block1_conv1_W_1:0'; newer ones 'block1_conv1/kernel:0' (a nested
    # group). Mix both, and list the bias first once: the reader must not depend on the order.
    if index % 2:
        names = [f'{layer}_W_1:0', f'{layer}_b_1:0']
    else:
        names = [f'{layer}/kernel:0', f'{layer}/bias:0']
    group.create_dataset(names[0], data=np.ascontiguousarray(kernel_hwio))
    group.create_dataset(names[1], data=b)
    if index == 3:
        names.reverse()
    group.attrs['weight_names'] = [n.encode() for n in names]


# ---------------------------------------------------------------- float16 rounding cases

def float16_cases():
    special = [0.0, -0.0, 1.0, -2.0, 0.1, 1 / 3, 65504.0, 65519.0, 65520.0, 1e6, -1e6,
               2.0 ** -14, 2.0 ** -24, 2.0 ** -25, 3 * 2.0 ** -25, 1.5 * 2.0 ** -24, 2.0 ** -26,
               1 + 2.0 ** -11, 1 + 3 * 2.0 ** -11, 1 + 2.0 ** -11 + 2.0 ** -20, 2.0 ** -14 - 2.0 ** -25,
               float('inf'), float('-inf'), float('nan')]
    exponents = RNG.uniform(-28, 17, 200)
    spread = RNG.choice([-1.0, 1.0], 200) * np.exp2(exponents)
    values = np.array(special + spread.tolist(), dtype=np.float32)
    with np.errstate(over="ignore"):  # 1e6 and friends overflow to inf, as they should
        halves = values.astype(np.float16)
    return [[int(a), int(b)] for a, b in zip(values.view(np.uint32), halves.view(np.uint16))]


# ---------------------------------------------------------------- the other networks

# Channel counts of the real networks are divided by these (squeeze layers keep at least 2).
NETWORK_DIVISORS = {'vgg16': 32, 'squeezenet1_1': 8, 'squeezenet1_0': 8}
# torchvision's squeezenets are converted to their own ImageNet mean, 255 m: the bias stays.
IMAGENET_MEAN_255 = 255.0 * IMAGENET_MEAN


def torchvision_network_fixture(model, path, legacy):
    """A tiny torchvision state dict of `model` and its canonical values (first conv converted)."""
    torch.manual_seed(sum(map(ord, model)))
    net, _ = torch_networks.features(model, NETWORK_DIVISORS[model])
    for m in net.modules():
        if isinstance(m, torch.nn.Conv2d):  # random biases too, so that a bias mix-up shows
            torch.nn.init.normal_(m.bias, std=0.5)
    pairs = torch_networks.conv_weights(model)
    state = collections.OrderedDict((f'features.{k}', v) for k, v in net.state_dict().items())
    state['classifier.1.weight'] = torch.ones(2, 3, 1, 1)  # squeezenet's conv10 or VGG's fc: ignored
    torch.save(state, path, _use_new_zipfile_serialization=not legacy)
    check_torch_loads(path, state)
    canonical = {ours: (state[f'{theirs}.weight'].numpy(), state[f'{theirs}.bias'].numpy()) for ours, theirs in pairs}
    first, (w, b) = pairs[0][0], (a.astype(np.float64) for a in canonical[pairs[0][0]])
    target = VGG_MEAN_RGB if model in torch_networks.VGG else IMAGENET_MEAN_255
    w_ours = w / (255.0 * IMAGENET_STD)[None, :, None, None]
    b_ours = b + np.einsum('ochw,c->o', w_ours, target - 255.0 * IMAGENET_MEAN)
    canonical[first] = (w_ours.astype(np.float32), b_ours.astype(np.float32))
    return {'model': model, 'divisor': NETWORK_DIVISORS[model], 'input_mean': target.tolist(),
            'convs': summarise_model(canonical)}


def keras_vgg16_fixture(path):
    blocks = [(b, len(channels), channels[0] // NETWORK_DIVISORS['vgg16'])
              for b, channels in enumerate(torch_networks.VGG['vgg16'], start=1)]
    canonical, cin = {}, 3
    for block, count, channels in blocks:
        for i in range(1, count + 1):
            canonical[f'conv{block}_{i}'] = ((RNG_NETWORKS.standard_normal((channels, cin, 3, 3)) * 0.2).astype(np.float32),
                                             (RNG_NETWORKS.standard_normal(channels) * 0.5).astype(np.float32))
            cin = channels
    write_keras_h5(path, canonical, blocks)
    return {'model': 'vgg16', 'divisor': NETWORK_DIVISORS['vgg16'], 'input_mean': VGG_MEAN_RGB.tolist(),
            'convs': summarise_model(canonical)}


RNG_NETWORKS = np.random.default_rng(20240602)
NETWORK_FILES = {
    'torchvision-vgg16.pth': lambda path: torchvision_network_fixture('vgg16', path, legacy=False),
    'torchvision-squeezenet1_1.pth': lambda path: torchvision_network_fixture('squeezenet1_1', path, legacy=False),
    'torchvision-squeezenet1_0.pth': lambda path: torchvision_network_fixture('squeezenet1_0', path, legacy=True),
    'keras-vgg16.h5': keras_vgg16_fixture,
}


GENERATED = ['uint8-bundle', 'torchvision-zip.pth', 'torchvision-legacy.pth', 'torchvision-legacy-2017.pth',
             'keras-notop.h5', 'expected.json', *NETWORK_FILES, 'expected-networks.json']


def remove_previous_output():
    """Only what this script writes: the folder also holds the tests' TypeScript helper."""
    for name in GENERATED:
        path = os.path.join(OUT, name)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)


def main():
    os.makedirs(OUT, exist_ok=True)
    remove_previous_output()
    bundle = write_uint8_bundle(os.path.join(OUT, 'uint8-bundle'))

    torch_weights = random_float_weights()
    state = torchvision_state_dict(torch_weights)
    torch.save(state, os.path.join(OUT, 'torchvision-zip.pth'))
    torch.save(state, os.path.join(OUT, 'torchvision-legacy.pth'), _use_new_zipfile_serialization=False)
    write_torch_legacy_2017(os.path.join(OUT, 'torchvision-legacy-2017.pth'), state)
    for name in ('torchvision-zip.pth', 'torchvision-legacy.pth', 'torchvision-legacy-2017.pth'):
        check_torch_loads(os.path.join(OUT, name), state)

    keras = random_float_weights()
    write_keras_h5(os.path.join(OUT, 'keras-notop.h5'), keras)

    expected = {
        'generated_by': 'scripts/make-weight-fixtures.py',
        'weighted_sum': 'sum of value[k] * (k % 13 + 1) over the row-major flat index k',
        'layers': [{'name': n, 'inChannels': i, 'outChannels': o} for n, i, o in tiny_convs()],
        'uint8_bundle': summarise_model(bundle),
        'torchvision': summarise_model(torch_to_canonical(torch_weights)),
        'torchvision_conv1_1_check': conv1_1_equivalence_case(torch_weights),
        'keras': summarise_model(keras),
        'float16_cases': float16_cases(),
    }
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)

    networks = {name: make(os.path.join(OUT, name)) for name, make in NETWORK_FILES.items()}
    with open(os.path.join(OUT, 'expected-networks.json'), 'w') as f:
        json.dump({'generated_by': 'scripts/make-weight-fixtures.py', 'files': networks}, f)


if __name__ == '__main__':
    main()
