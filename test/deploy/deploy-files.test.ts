import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { Namespace, ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { ScaledJob, TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { KNOWN_ENV_VARS } from '@spottune/config';
import { QUEUES } from '@spottune/jobs';

/**
 * No Docker engine or cluster runs in CI: docker-compose.yml, Dockerfile.gpu and k8s/ are checked
 * statically: YAML parses, images are pinned, environment variables are the ones libs/config knows,
 * healthchecks/probes/GPU resources are present, and every k8s object validates against the
 * Kubernetes and KEDA schemas (kubernetes-models).
 */
const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const known = new Set(KNOWN_ENV_VARS);

/** A tag or a digest, never `latest` or nothing. */
function assertPinned(image: string, where: string): void {
  assert.ok(!/:latest(@|$)/.test(image), `${where}: image ${image} uses latest`);
  const digest = /@sha256:[0-9a-f]{64}$/.test(image);
  const tag = /^[^@]+:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(image.replace(/^[^/]+:\d+\//, ''));
  assert.ok(digest || tag, `${where}: image ${image} is not pinned to a tag or digest`);
}

type ComposeService = {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
};

test('docker-compose.yml: parses, pins images, sets only known variables, has healthchecks', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  const services = compose.services;
  for (const name of [
    'postgres',
    'redis',
    'minio',
    'minio-bucket',
    'migrate',
    'api',
    'worker-1',
    'worker-2',
    'aggregator',
  ]) {
    assert.ok(services[name], `service ${name} exists`);
  }
  for (const [name, service] of Object.entries(services)) {
    assert.ok(service.image, `${name} has an image`);
    assertPinned(service.image, `compose ${name}`);
  }
  assert.match(services.postgres!.image!, /^postgres:16\./);
  assert.match(services.redis!.image!, /^redis:7\./);
  assert.deepEqual(services.redis!.command?.slice(1, 3), ['--maxmemory-policy', 'noeviction']);
  // Our own containers: only variables libs/config declares (third-party images have their own).
  for (const name of ['migrate', 'api', 'worker-1', 'worker-2', 'aggregator']) {
    const env = services[name]!.environment ?? {};
    assert.ok(Object.keys(env).length > 0, `${name} sets its environment`);
    for (const key of Object.keys(env))
      assert.ok(known.has(key), `compose ${name}: ${key} is not in KNOWN_ENV_VARS`);
  }
  for (const name of ['postgres', 'redis', 'minio', 'api', 'worker-1', 'worker-2', 'aggregator']) {
    assert.ok(services[name]!.healthcheck?.test.length, `${name} has a healthcheck`);
  }
  assert.deepEqual(services.migrate!.command, ['npm', 'run', 'db:migrate']);
  assert.equal(services['worker-2']!.environment?.WORKER_CONCURRENCY, '1');
});

test('Dockerfile.gpu: CUDA 11.2 base, Node 22 tarball, tfjs-node-gpu at build time, non-root, caches', () => {
  const text = read('Dockerfile.gpu');
  const from = text.split('\n').filter((l) => l.startsWith('FROM '));
  assert.deepEqual(from, ['FROM nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04']);
  assert.match(text, /ARG NODE_VERSION=22\.\d+\.\d+/);
  assert.match(text, /nodejs\.org\/dist\/v\$\{NODE_VERSION\}/);
  assert.match(text, /npm ci --omit=dev/);
  assert.match(text, /npm install --no-save @tensorflow\/tfjs-node-gpu@4\.22\.0/);
  assert.match(text, /ENV TF_FORCE_GPU_ALLOW_GROWTH=true/);
  assert.match(text, /ENV CUDA_CACHE_PATH=\/cache\/cuda/);
  assert.match(text, /VOLUME \["\/cache", "\/models"\]/);
  assert.match(text, /^USER spottune$/m);
  assert.match(text, /^ENTRYPOINT .*"serve", "worker"\]$/m);
  for (const [, name] of text.matchAll(/^ENV (\w+)=/gm)) {
    if (name!.startsWith('CUDA_') || name!.startsWith('TF_') || name === 'DEBIAN_FRONTEND') continue;
    assert.ok(known.has(name!), `Dockerfile.gpu: ${name} is not in KNOWN_ENV_VARS`);
  }
});

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'keda.sh/v1alpha1/ScaledJob': ScaledJob,
  'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication,
};

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: unknown };
type Container = {
  image: string;
  env?: { name: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
};
type PodSpec = { containers: Container[]; terminationGracePeriodSeconds?: number };

function k8sObjects(): K8sObject[] {
  const kustomization = parse(read('k8s/kustomization.yaml')) as { resources: string[] };
  return kustomization.resources.flatMap((file) =>
    parseAllDocuments(read(join('k8s', file))).map((doc) => {
      assert.deepEqual(doc.errors, [], `${file} parses`);
      return doc.toJS() as K8sObject;
    }),
  );
}

function podSpec(o: K8sObject): PodSpec | undefined {
  const spec = o.spec as Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (o.kind === 'Deployment' || o.kind === 'Job') return spec?.template?.spec;
  if (o.kind === 'ScaledJob') return spec?.jobTargetRef?.template?.spec;
  return undefined;
}

test('k8s: every object validates against the Kubernetes/KEDA schemas; images pinned; env known', () => {
  const objects = k8sObjects();
  const kinds = objects.map((o) => o.kind).sort();
  assert.deepEqual(kinds, [
    'ConfigMap',
    'Deployment',
    'Deployment',
    'Job',
    'Namespace',
    'ScaledJob',
    'Secret',
    'Secret',
    'Service',
    'TriggerAuthentication',
  ]);
  for (const o of objects) {
    const Model = MODELS[`${o.apiVersion}/${o.kind}`];
    assert.ok(Model, `no model for ${o.apiVersion}/${o.kind}`);
    new Model(o as never).validate();
  }
  const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o]));
  const secrets = new Map(objects.filter((o) => o.kind === 'Secret').map((o) => [o.metadata.name, o]));
  for (const o of objects) {
    const pod = podSpec(o);
    if (pod === undefined) continue;
    for (const c of pod.containers) {
      assertPinned(c.image, `${o.kind} ${o.metadata.name}`);
      for (const e of c.env ?? []) assert.ok(known.has(e.name), `${o.metadata.name}: env ${e.name} unknown`);
      for (const from of c.envFrom ?? []) {
        const source = from.configMapRef
          ? ((configMaps.get(from.configMapRef.name)?.data ?? {}) as Record<string, string>)
          : ((secrets.get(from.secretRef!.name)?.stringData ?? {}) as Record<string, string>);
        assert.ok(Object.keys(source).length > 0, `${o.metadata.name}: envFrom source exists`);
        for (const key of Object.keys(source))
          assert.ok(known.has(key), `${o.metadata.name}: ${key} (envFrom) unknown`);
      }
    }
  }
});

test('k8s: API probes, GPU ScaledJob on the BullMQ wait list, grace period for a checkpoint', () => {
  const objects = k8sObjects();
  const api = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'spottune-api')!;
  const apiContainer = podSpec(api)!.containers[0]!;
  assert.equal(apiContainer.livenessProbe?.httpGet?.path, '/health');
  assert.equal(apiContainer.readinessProbe?.httpGet?.path, '/ready');
  assert.ok(objects.some((o) => o.kind === 'Service' && o.metadata.name === 'spottune-api'));

  const scaled = objects.find((o) => o.kind === 'ScaledJob')!;
  const pod = podSpec(scaled)!;
  const worker = pod.containers[0]!;
  assert.equal(worker.resources?.limits?.['nvidia.com/gpu'], '1');
  assert.ok(
    (pod.terminationGracePeriodSeconds ?? 0) >= 300,
    'grace period covers a batch plus a checkpoint upload',
  );
  const config = objects.find((o) => o.kind === 'ConfigMap')!.data as Record<string, string>;
  const trigger = (scaled.spec as { triggers: { type: string; metadata: Record<string, string> }[] })
    .triggers[0]!;
  assert.equal(trigger.type, 'redis');
  assert.equal(trigger.metadata.listName, `${config.QUEUE_PREFIX}:${QUEUES.train}:wait`);
  assert.equal((scaled.spec as { jobTargetRef: { backoffLimit: number } }).jobTargetRef.backoffLimit, 0);

  const aggregator = objects.find(
    (o) => o.kind === 'Deployment' && o.metadata.name === 'spottune-aggregator',
  )!;
  assert.equal(
    podSpec(aggregator)!.containers[0]!.resources?.limits?.['nvidia.com/gpu'],
    undefined,
    'aggregator is CPU-only',
  );
  const migrate = objects.find((o) => o.kind === 'Job')!;
  assert.deepEqual((podSpec(migrate)!.containers[0] as { command?: string[] }).command, [
    'npm',
    'run',
    'db:migrate',
  ]);
});
