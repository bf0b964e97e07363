#!/usr/bin/env python3
"""Dev-only PyTorch reference for the SpotTune parity test (Debian python3-torch 1.13, CPU).

Builds the tiny SpotTune of fixture.ts from the spec (reference-pipeline.md §5.1-5.2 and §12: the
reference's first-block-only dilation and unapplied bottleneck shortcut BN in 'faithful' mode;
MedicalNet's every-block dilation and BN(conv) shortcut in 'corrected' mode), loads the weights that
dump-weights.ts exported from the TypeScript parameter store, and prints the logits that
libs/model's parity test asserts.

    npx tsx test/model/torch-parity/dump-weights.ts /tmp/parity
    /usr/bin/python3 test/model/torch-parity/reference.py /tmp/parity
"""
import json
import sys

import torch
from torch import nn
import torch.nn.functional as F

torch.set_num_threads(1)
WIDTHS = [4, 8, 16, 32]
STRIDES = [1, 2, 1, 1]
DILATIONS = [1, 1, 2, 4]


class Bottleneck(nn.Module):
    def __init__(self, cin, planes, stride, dilation, shortcut_bn):
        super().__init__()
        cout = planes * 4
        self.conv1 = nn.Conv3d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm3d(planes)
        self.conv2 = nn.Conv3d(planes, planes, 3, stride=stride, padding=dilation, dilation=dilation, bias=False)
        self.bn2 = nn.BatchNorm3d(planes)
        self.conv3 = nn.Conv3d(planes, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm3d(cout)
        self.shortcut_bn = shortcut_bn
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv3d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm3d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        res = x
        if self.downsample is not None:
            res = self.downsample[0](x)
            if self.shortcut_bn:
                res = self.downsample[1](res)
        return F.relu(out + res)


class Basic(nn.Module):
    def __init__(self, cin, planes, stride, dilation, conv2_dilation):
        super().__init__()
        self.conv1 = nn.Conv3d(cin, planes, 3, stride=stride, padding=dilation, dilation=dilation, bias=False)
        self.bn1 = nn.BatchNorm3d(planes)
        self.conv2 = nn.Conv3d(planes, planes, 3, padding=conv2_dilation, dilation=conv2_dilation, bias=False)
        self.bn2 = nn.BatchNorm3d(planes)
        self.downsample = None
        if stride != 1 or cin != planes:
            self.downsample = nn.Sequential(nn.Conv3d(cin, planes, 1, stride=stride, bias=False), nn.BatchNorm3d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        res = x if self.downsample is None else self.downsample(x)
        return F.relu(out + res)


class Stages(nn.Module):
    def __init__(self, kind, layers, every, shortcut_bn):
        super().__init__()
        cin = WIDTHS[0]
        for s, n in enumerate(layers):
            blocks = []
            for j in range(n):
                stride = STRIDES[s] if j == 0 else 1
                dil = DILATIONS[s] if (j == 0 or every) else 1
                if kind == 'bottleneck':
                    blocks.append(Bottleneck(cin, WIDTHS[s], stride, dil, shortcut_bn))
                    cin = WIDTHS[s] * 4
                else:
                    blocks.append(Basic(cin, WIDTHS[s], stride, dil, dil if every else 1))
                    cin = WIDTHS[s]
            setattr(self, f'layer{s + 1}', nn.ModuleList(blocks))
        self.layers = layers

    def block_list(self):
        return [b for s in range(4) for b in getattr(self, f'layer{s + 1}')]


def stem(m, x):
    return F.max_pool3d(F.relu(m.bn1(m.conv1(x))), 3, 2, 1)


class Agent(nn.Module):
    def __init__(self, every):
        super().__init__()
        self.conv1 = nn.Conv3d(1, WIDTHS[0], 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm3d(WIDTHS[0])
        self.stages = Stages('basic', [1, 1, 1, 1], every, True)
        self.fc = nn.Linear(WIDTHS[3], 32)

    def forward(self, x):
        h = stem(self, x)
        for b in self.stages.block_list():
            h = b(h)
        return self.fc(torch.flatten(F.adaptive_avg_pool3d(h, 1), 1))


class SpotTune(nn.Module):
    def __init__(self, faithful):
        super().__init__()
        every, shortcut_bn = not faithful, not faithful
        self.conv1 = nn.Conv3d(1, WIDTHS[0], 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm3d(WIDTHS[0])
        self.blocks = Stages('bottleneck', [3, 4, 6, 3], every, shortcut_bn)
        self.parallel_blocks = Stages('bottleneck', [3, 4, 6, 3], every, shortcut_bn)
        self.classify = nn.Linear(WIDTHS[3] * 4, 1)
        self.agent = Agent(every)

    def forward(self, x, policy):
        h = stem(self, x)
        for t, (f, p) in enumerate(zip(self.blocks.block_list(), self.parallel_blocks.block_list())):
            m = policy[:, t].float().view(-1, 1, 1, 1, 1)
            h = f(h) * (1 - m) + p(h) * m
        return self.classify(torch.flatten(F.adaptive_avg_pool3d(h, 1), 1)).view(-1)


def torch_name(name):
    # Stages live under `.stages` in the agent; the TS names have no such level.
    return name.replace('agent.layer', 'agent.stages.layer')


def load(model, params):
    state = {}
    for name, p in params.items():
        t = torch.tensor(p['data'], dtype=torch.float32).view(p['shape'])
        if len(p['shape']) == 5:
            t = t.permute(4, 3, 0, 1, 2).contiguous()
        elif len(p['shape']) == 2:
            t = t.t().contiguous()
        state[torch_name(name)] = t
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected, unexpected
    assert all(k.endswith('num_batches_tracked') for k in missing), missing


def main(folder):
    for mode in ('faithful', 'corrected'):
        fx = json.load(open(f'{folder}/{mode}.json'))
        model = SpotTune(mode == 'faithful')
        load(model, fx['params'])
        x = torch.tensor(fx['input']['data'], dtype=torch.float32).view(fx['input']['shape']).permute(0, 4, 1, 2, 3)
        policy = torch.tensor(fx['policy'])
        model.eval()
        with torch.no_grad():
            print(mode, 'eval logits', [float(v) for v in model(x, policy)])
            print(mode, 'agent logits[0,:6]', [float(v) for v in model.agent(x)[0, :6]])
            print(mode, 'agent logits[1,-4:]', [float(v) for v in model.agent(x)[1, -4:]])
            model.train()
            if mode == 'corrected':  # Q16 fixed: frozen stem and `blocks` BNs stay in eval mode
                model.bn1.eval()
                model.blocks.eval()
            print(mode, 'train logits', [float(v) for v in model(x, policy)])
            print(mode, 'blocks.layer1.0.bn1.running_mean', [float(v) for v in model.blocks.layer1[0].bn1.running_mean])
            print(mode, 'parallel_blocks.layer4.2.bn3.running_var[:4]',
                  [float(v) for v in model.parallel_blocks.layer4[2].bn3.running_var[:4]])
        train_step(mode, fx, x)


def train_step(mode, fx, x):
    """One training forward/backward from fresh weights: agent -> hard straight-through Gumbel -> loss."""
    model = SpotTune(mode == 'faithful')
    load(model, fx['params'])
    model.train()
    if mode == 'corrected':
        model.bn1.eval()
        model.blocks.eval()
    step = fx['step']
    noise = torch.tensor(step['noise'], dtype=torch.float32)
    pairs = model.agent(x).view(2, 16, 2)
    y = F.softmax((pairs + noise) / step['temperature'], dim=-1)
    hard = F.one_hot(y.argmax(-1), 2).float()
    policy = ((hard - y).detach() + y)[:, :, 1]
    logits = model(x, policy)
    loss = F.binary_cross_entropy_with_logits(logits, torch.tensor(step['labels'], dtype=torch.float32))
    loss.backward()
    params = dict(model.named_parameters())
    print(mode, 'loss', float(loss))
    for name, k in step['grads']:
        g = params[torch_name(name)].grad
        if g.dim() == 5:
            g = g.permute(2, 3, 4, 1, 0)
        elif g.dim() == 2:
            g = g.t()
        print(mode, 'grad', name, [float(v) for v in g.flatten()[:k]])


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else '/tmp/parity')
