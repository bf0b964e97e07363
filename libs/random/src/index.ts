export { Rng, hashString } from './rng.ts';
