import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readNpy } from '@spottune/imaging';
import { loadWeights, medicalNetFeatures, parseArch } from '@spottune/model';
import type { Widths } from '@spottune/model';
import { assertFeaturesClose, medicalNetFile } from './support.ts';

// *_expected.json: PyTorch's eval-mode, global-average-pooled layer4 features of *_input.npy through
// MedicalNet's own ResNet (shortcut B, layer3/4 dilated 2/4 in every block), written with 7 decimals.
interface Expected {
  arch: string;
  widths: number[];
  input_shape_DHW: [number, number, number];
  features: number[];
}

for (const name of ['resnet10_w16', 'resnet50_w8']) {
  test(`${name}: features match PyTorch for the zip and the legacy checkpoint`, async () => {
    const expected = JSON.parse(readFileSync(medicalNetFile(`${name}_expected.json`), 'utf8')) as Expected;
    const npy = readNpy(readFileSync(medicalNetFile(`${name}_input.npy`)));
    assert.deepEqual(npy.shape, expected.input_shape_DHW);
    const input = { data: npy.data as Float32Array, shape: expected.input_shape_DHW };
    for (const format of ['zip', 'legacy']) {
      const stateDict = await loadWeights(medicalNetFile(`${name}_${format}.pth`));
      const features = await medicalNetFeatures(stateDict, {
        arch: parseArch(expected.arch),
        widths: expected.widths as unknown as Widths,
        input,
        backend: 'auto',
      });
      assertFeaturesClose(features, expected.features, `${name} ${format}`);
    }
  });
}
