"""The networks of src/models as PyTorch modules laid out exactly as torchvision's
`<model>().features` (so their state dicts have torchvision's keys), for the fixture generators
and the PyTorch benchmark. Debian's python3-torch; for fixtures and benchmarks only, never at
run time. Each layer users can pick gets the name src/models gives it.

  vgg19, vgg16    conv 3x3 pad 1 + ReLU per layer ('relu<b>_<k>'), MaxPool2d(2, 2) after each
                  block ('pool<b>'); torchvision ends with pool5 too (no weights, never run here).
  squeezenet1_1,  conv1 (+ ReLU) stride 2 unpadded, then MaxPool2d(3, 2, ceil_mode=True) pools
  squeezenet1_0   and Fire modules as listed below ('conv1', 'pool1', 'fire2', ...).
"""
from torch import nn
import torch

VGG = {
    'vgg19': [[64, 64], [128, 128], [256, 256, 256, 256], [512, 512, 512, 512], [512, 512, 512, 512]],
    'vgg16': [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]],
}

# conv1 (filters, kernel), then what follows it and its ReLU: ('pool', name) or ('fire', name, squeeze, expand).
SQUEEZENET = {
    'squeezenet1_1': ((64, 3), [('pool', 'pool1'), ('fire', 'fire2', 16, 64), ('fire', 'fire3', 16, 64), ('pool', 'pool3'),
                                ('fire', 'fire4', 32, 128), ('fire', 'fire5', 32, 128), ('pool', 'pool5'),
                                ('fire', 'fire6', 48, 192), ('fire', 'fire7', 48, 192), ('fire', 'fire8', 64, 256),
                                ('fire', 'fire9', 64, 256)]),
    'squeezenet1_0': ((96, 7), [('pool', 'pool1'), ('fire', 'fire2', 16, 64), ('fire', 'fire3', 16, 64),
                                ('fire', 'fire4', 32, 128), ('pool', 'pool4'), ('fire', 'fire5', 32, 128),
                                ('fire', 'fire6', 48, 192), ('fire', 'fire7', 48, 192), ('fire', 'fire8', 64, 256),
                                ('pool', 'pool8'), ('fire', 'fire9', 64, 256)]),
}

MODELS = [*VGG, *SQUEEZENET]


class Fire(nn.Module):
    """torchvision's Fire: s = ReLU(squeeze(x)); [ReLU(expand1x1(s)); ReLU(expand3x3(s))], expand3x3 padded by 1."""

    def __init__(self, in_channels, squeeze, expand):
        super().__init__()
        self.squeeze = nn.Conv2d(in_channels, squeeze, 1)
        self.squeeze_activation = nn.ReLU(inplace=True)
        self.expand1x1 = nn.Conv2d(squeeze, expand, 1)
        self.expand1x1_activation = nn.ReLU(inplace=True)
        self.expand3x3 = nn.Conv2d(squeeze, expand, 3, padding=1)
        self.expand3x3_activation = nn.ReLU(inplace=True)

    def forward(self, x):
        s = self.squeeze_activation(self.squeeze(x))
        return torch.cat([self.expand1x1_activation(self.expand1x1(s)), self.expand3x3_activation(self.expand3x3(s))], 1)


def features(model, divisor=1):
    """(nn.Sequential as torchvision's features, {index: layer name}) with every channel count
    but the image's divided by `divisor` (tiny fixtures), random Kaiming weights."""
    modules, names = [], {}
    if model in VGG:
        in_channels = 3
        for b, block in enumerate(VGG[model], start=1):
            for k, channels in enumerate(block, start=1):
                modules += [nn.Conv2d(in_channels, channels // divisor, 3, padding=1), nn.ReLU(inplace=True)]
                names[len(modules) - 1] = f'relu{b}_{k}'
                in_channels = channels // divisor
            modules.append(nn.MaxPool2d(2, 2))
            names[len(modules) - 1] = f'pool{b}'
    else:
        (filters, kernel), rest = SQUEEZENET[model]
        modules += [nn.Conv2d(3, filters // divisor, kernel, stride=2), nn.ReLU(inplace=True)]
        names[1] = 'conv1'
        in_channels = filters // divisor
        for module in rest:
            if module[0] == 'pool':
                modules.append(nn.MaxPool2d(3, 2, ceil_mode=True))
            else:
                _, _, squeeze, expand = module
                modules.append(Fire(in_channels, squeeze // divisor, expand // divisor))
                in_channels = 2 * expand // divisor
            names[len(modules) - 1] = module[1]
    net = nn.Sequential(*modules)
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
            nn.init.zeros_(m.bias)
    return net, names


def conv_weights(model):
    """[(our weights name, torchvision state-dict prefix)] in network order (src/models' torchvisionNames)."""
    pairs = []
    if model in VGG:
        index = 0
        for b, block in enumerate(VGG[model], start=1):
            for k in range(1, len(block) + 1):
                pairs.append((f'conv{b}_{k}', f'features.{index}'))
                index += 2
            index += 1
    else:
        pairs.append(('conv1', 'features.0'))
        for index, module in enumerate(SQUEEZENET[model][1], start=2):
            if module[0] == 'fire':
                for ours, theirs in (('squeeze1x1', 'squeeze'), ('expand1x1', 'expand1x1'), ('expand3x3', 'expand3x3')):
                    pairs.append((f'{module[1]}/{ours}', f'features.{index}.{theirs}'))
    return pairs
