import { DataError } from '@spottune/errors';
import type { LoadReport, ParameterSource, ParameterStore } from '../parameter-store.ts';
import type { NetworkDef } from '../network.ts';
import type { FaithfulFlags } from '../settings.ts';
import { mapMedicalNetStateDict } from './medicalnet-mapping.ts';
import type { MedicalNetArch } from './medicalnet-layout.ts';
import { loadWeights } from './native-weights.ts';
import type { TorchStateDict } from './torch-tensor.ts';

/**
 * MedicalNet weights as a {@link ParameterSource}: maps the state dict for the network being built
 * (plain, transfer or SpotTune's two copies; Q14 from the run's faithful flags; stem inflated to the
 * network's input channels) and assigns every mapped tensor. A mapped name the store lacks is an
 * error (the mapping and the network disagree); store entries not loaded are reported as skipped.
 */
export function medicalNetSource(weights: string | TorchStateDict, label?: string): ParameterSource {
  return {
    label: label ?? (typeof weights === 'string' ? `MedicalNet ${weights}` : 'MedicalNet state dict'),
    async load(
      store: ParameterStore,
      context: { def: NetworkDef; faithful: FaithfulFlags },
    ): Promise<LoadReport> {
      const stateDict = typeof weights === 'string' ? await loadWeights(weights) : weights;
      const { options } = context.def;
      const mapped = mapMedicalNetStateDict(stateDict, {
        arch: `resnet${options.depth}` as MedicalNetArch,
        widths: options.widths,
        target: options.network,
        inChannels: options.inChannels,
        faithful: { q14: context.faithful.q14, q13: context.faithful.q13 },
      });
      const absent = [...mapped.keys()].filter((name) => !store.has(name));
      if (absent.length > 0)
        throw new DataError(
          `MedicalNet weights name ${absent.length} tensors the network lacks: ${absent.slice(0, 8).join(', ')}`,
        );
      for (const [name, tensor] of mapped) store.assign(name, tensor.data, tensor.shape);
      const loaded = [...mapped.keys()];
      return { loaded, skipped: store.names().filter((n) => !mapped.has(n)) };
    },
  };
}
