#!/usr/bin/env python3
"""PyTorch CPU timing of one SpotTune training step, as a reference for `spottune bench train-step`.

A faithful re-implementation of the reference's model (reference-pipeline.md §5.1-5.3): a dual-copy
3-D ResNet50 (Bottleneck [3,4,6,3], stage strides 1,2,1,1, dilations 1,1,2,4 on the first block of a
stage only, projection-shortcut BN created but unused: Q13) with the shared frozen stem, and a ResNet10
agent (BasicBlock [1,1,1,1], its downsample BN applied). Per step: agent -> hard straight-through
Gumbel-softmax (tau 100) -> policy -> both copies of every block mixed per sample -> Linear -> BCE with
logits; backward; Adam on parallel_blocks + classify and on the agent (model.train(): BNs use batch
statistics). Dev-only: Debian's python3-torch, run with /usr/bin/python3.

Usage: spottune_step.py --widths 16,32,64,128 --input 35x43x43 --batch 2 --steps 3 --threads 1
Prints one JSON line: {"msPerStep", "msPerForward", "cpuMsPerStep", "cpuMsPerForward", "threads", "torch"}.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv3(cin, cout, stride=1, dilation=1):
    return nn.Conv3d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation, bias=False)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, planes, stride=1, dilation=1):
        super().__init__()
        self.conv1 = nn.Conv3d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm3d(planes)
        self.conv2 = conv3(planes, planes, stride, dilation)
        self.bn2 = nn.BatchNorm3d(planes)
        self.conv3 = nn.Conv3d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm3d(planes * 4)
        self.downsample = None
        if stride > 1 or cin != planes * 4:
            self.downsample = nn.Conv3d(cin, planes * 4, 1, stride=stride, bias=False)
            self.bn0 = nn.BatchNorm3d(planes * 4)  # created, never applied (Q13)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        res = self.downsample(x) if self.downsample is not None else x
        return F.relu(out + res)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, cin, planes, stride=1, dilation=1):
        super().__init__()
        self.conv1 = conv3(cin, planes, stride, dilation)
        self.bn1 = nn.BatchNorm3d(planes)
        self.conv2 = conv3(planes, planes)
        self.bn2 = nn.BatchNorm3d(planes)
        self.downsample = None
        if stride > 1 or dilation > 1 or cin != planes:
            self.downsample = nn.Sequential(
                nn.Conv3d(cin, planes, 1, stride=stride, bias=False), nn.BatchNorm3d(planes)
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        res = self.downsample(x) if self.downsample is not None else x
        return F.relu(out + res)


STRIDES = [1, 2, 1, 1]
DILATIONS = [1, 1, 2, 4]


def make_blocks(block, layers, widths):
    blocks = []
    cin = widths[0]
    for s, n in enumerate(layers):
        for j in range(n):
            first = j == 0
            blocks.append(block(cin, widths[s], STRIDES[s] if first else 1, DILATIONS[s] if first else 1))
            cin = widths[s] * block.expansion
    return nn.ModuleList(blocks), cin


def stem(widths):
    return nn.Sequential(
        nn.Conv3d(1, widths[0], 7, stride=2, padding=3, bias=False),
        nn.BatchNorm3d(widths[0]),
        nn.ReLU(inplace=True),
        nn.MaxPool3d(3, stride=2, padding=1),
    )


class SpotTune(nn.Module):
    def __init__(self, widths):
        super().__init__()
        self.stem = stem(widths)
        self.blocks, feat = make_blocks(Bottleneck, [3, 4, 6, 3], widths)
        self.parallel_blocks, _ = make_blocks(Bottleneck, [3, 4, 6, 3], widths)
        self.classify = nn.Linear(feat, 1)

    def forward(self, x, policy):
        x = self.stem(x)
        for t, (b, pb) in enumerate(zip(self.blocks, self.parallel_blocks)):
            m = policy[:, t].view(-1, 1, 1, 1, 1)
            x = b(x) * (1 - m) + pb(x) * m
        x = F.adaptive_avg_pool3d(x, 1).flatten(1)
        return self.classify(x)


class Agent(nn.Module):
    def __init__(self, widths, n_out):
        super().__init__()
        self.stem = stem(widths)
        self.blocks, feat = make_blocks(BasicBlock, [1, 1, 1, 1], widths)
        self.fc = nn.Linear(feat, n_out)

    def forward(self, x):
        x = self.stem(x)
        for b in self.blocks:
            x = b(x)
        return self.fc(F.adaptive_avg_pool3d(x, 1).flatten(1))


def gumbel_softmax_hard(logits, tau):
    u = torch.rand(logits.shape)
    g = -torch.log(-torch.log(u + 1e-20) + 1e-20)
    y = F.softmax((logits + g) / tau, dim=-1)
    hard = F.one_hot(y.argmax(-1), y.shape[-1]).to(y.dtype)
    return (hard - y).detach() + y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--widths', default='16,32,64,128')
    ap.add_argument('--input', default='35x43x43')
    ap.add_argument('--batch', type=int, default=2)
    ap.add_argument('--steps', type=int, default=3)
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    widths = [int(v) for v in a.widths.split(',')]
    d, h, w = (int(v) for v in a.input.split('x'))
    model = SpotTune(widths)
    agent = Agent(widths, 2 * 16)
    for p in model.parameters():
        p.requires_grad = False
    trainable = list(model.parallel_blocks.parameters()) + list(model.classify.parameters())
    for p in trainable:
        p.requires_grad = True
    opt = torch.optim.Adam(trainable, lr=1e-4)
    opt_agent = torch.optim.Adam(agent.parameters(), lr=1e-3)
    model.train()
    agent.train()
    x = torch.randn(a.batch, 1, d, h, w)
    y = torch.tensor([float(i % 2) for i in range(a.batch)])

    def step():
        probs = agent(x).view(a.batch, 16, 2)
        policy = gumbel_softmax_hard(probs, 100.0)[:, :, 1]
        logits = model(x, policy).view(-1)
        loss = F.binary_cross_entropy_with_logits(logits, y)
        opt.zero_grad()
        opt_agent.zero_grad()
        loss.backward()
        opt.step()
        opt_agent.step()

    def forward():
        with torch.no_grad():
            policy = gumbel_softmax_hard(agent(x).view(a.batch, 16, 2), 100.0)[:, :, 1]
            model(x, policy)

    step()  # warm-up
    forward()
    # Wall time, and process CPU time (steadier on a shared machine; with 2 threads it sums both).
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(a.steps):
        step()
    ms_step = (time.perf_counter() - t0) * 1000 / a.steps
    cpu_step = (time.process_time() - c0) * 1000 / a.steps
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(a.steps):
        forward()
    ms_fwd = (time.perf_counter() - t0) * 1000 / a.steps
    cpu_fwd = (time.process_time() - c0) * 1000 / a.steps
    print(json.dumps({'msPerStep': ms_step, 'msPerForward': ms_fwd, 'cpuMsPerStep': cpu_step,
                      'cpuMsPerForward': cpu_fwd, 'threads': a.threads, 'torch': torch.__version__}))


if __name__ == '__main__':
    main()
