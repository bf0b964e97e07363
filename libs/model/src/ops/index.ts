export { conv3d } from './conv3d.ts';
export type { Conv3dCallOptions, Conv3dPath } from './conv3d.ts';
export type { Conv3dOptions, Triple } from './conv-geometry.ts';
export { maxPool3d } from './max-pool3d.ts';
export type { MaxPool3dOptions } from './max-pool3d.ts';
export { describeCompute, initBackend } from './backend.ts';
export type { BackendChoice, BackendName, NativeOptions } from './backend.ts';
export { nativeBlasInfo, setNativeBlas } from './native-blas.ts';
