/**
 * docker-compose.yml and .env.example, read with a YAML parser and, where the pinned Compose CLI is
 * installed, validated by `docker-compose config`. Nothing here starts a container: CI has no
 * Docker engine.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  PROJECT_ROOT,
  durationMs,
  imageTag,
  interpolate,
  itWithTool,
  parseEnvFile,
  readProjectFile,
  runTool,
  stringLeaves,
  variableUses,
} from './deploy-files';

const dependencySchema = z.object({
  condition: z.enum(['service_started', 'service_healthy', 'service_completed_successfully']),
});
const serviceSchema = z.object({
  image: z.string().optional(),
  build: z.object({ context: z.string(), dockerfile: z.string() }).optional(),
  container_name: z.string().optional(),
  depends_on: z.record(z.string(), dependencySchema).optional(),
  healthcheck: z.object({ test: z.array(z.string()).min(2), disable: z.boolean().optional() }).optional(),
  ports: z.array(z.string()).optional(),
  volumes: z
    .array(z.union([z.string(), z.object({ type: z.string(), source: z.string(), target: z.string() })]))
    .optional(),
  restart: z.string().optional(),
  init: z.boolean().optional(),
  user: z.string().optional(),
  working_dir: z.string().optional(),
  command: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.string()).optional(),
  stop_signal: z.string().optional(),
  stop_grace_period: z.string().optional(),
});
const composeSchema = z.object({ services: z.record(z.string(), serviceSchema), volumes: z.unknown() });

const composeText = readProjectFile('docker-compose.yml');
const compose = composeSchema.parse(parse(composeText));
const services = compose.services;
const envExample = parseEnvFile(readProjectFile('.env.example'));
const resolve = (value: string): string => interpolate(value, envExample);
const serviceNames = Object.keys(services);
const worker = services.worker!;

/** Services that run once; others wait for them with service_completed_successfully. */
const oneShotJobs = serviceNames.filter((name) =>
  Object.values(services).some(
    (service) => service.depends_on?.[name]?.condition === 'service_completed_successfully',
  ),
);

/** The agent.grace a plan gets when it sets none (SPEC: plan schema default). */
const DEFAULT_AGENT_GRACE_MS = 2_000;

describe('docker-compose.yml', () => {
  it('declares the database, the Temporal server with its setup jobs and Web UI, and the worker', () => {
    expect(serviceNames.sort()).toEqual(
      ['postgresql', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui', 'worker'].sort(),
    );
  });

  it('pins every image to a version tag, never latest, once .env.example is applied', () => {
    const images = Object.entries(services).flatMap(([name, service]) =>
      service.image === undefined ? [] : [{ name, image: resolve(service.image) }],
    );
    expect(images.length).toBe(serviceNames.length - 1);
    for (const { name, image } of images) {
      const tag = imageTag(image);
      expect({ name, image, pinned: tag !== undefined && tag !== 'latest' && /\d/.test(tag) }).toEqual({
        name,
        image,
        pinned: true,
      });
    }
  });

  it('runs the Temporal server and both setup jobs on one Temporal version', () => {
    const tags = ['temporal', 'temporal-schema', 'temporal-namespace'].map((name) =>
      imageTag(services[name]!.image!),
    );
    const shared = `\${TEMPORAL_VERSION:-${envExample.get('TEMPORAL_VERSION')}}`;
    expect(tags).toEqual([shared, shared, shared]);
  });

  it('gives every long-running service but the worker a healthcheck', () => {
    const longRunning = serviceNames.filter((name) => name !== 'worker' && !oneShotJobs.includes(name));
    expect(longRunning.sort()).toEqual(['postgresql', 'temporal', 'temporal-ui']);
    for (const name of longRunning) {
      const healthcheck = services[name]!.healthcheck;
      expect({ name, test: healthcheck?.test[0], disabled: healthcheck?.disable ?? false }).toEqual({
        name,
        test: expect.stringMatching(/^CMD(-SHELL)?$/) as unknown,
        disabled: false,
      });
    }
  });

  it('runs the setup jobs once, never restarting them', () => {
    expect(oneShotJobs.sort()).toEqual(['temporal-namespace', 'temporal-schema']);
    for (const name of oneShotJobs)
      expect({ name, restart: services[name]!.restart }).toEqual({ name, restart: 'no' });
  });

  it('makes depends_on name existing services, and waits for postgresql and temporal to be healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(serviceNames).toContain(dependency);
        const expected =
          dependency === 'postgresql' || dependency === 'temporal'
            ? 'service_healthy'
            : oneShotJobs.includes(dependency)
              ? 'service_completed_successfully'
              : condition;
        expect({ name, dependency, condition }).toEqual({ name, dependency, condition: expected });
      }
    }
    expect(Object.keys(worker.depends_on ?? {}).sort()).toEqual(['temporal', 'temporal-namespace']);
  });

  it('builds the worker from the Dockerfile in its build context', () => {
    expect(worker.build).toBeDefined();
    const context = path.resolve(PROJECT_ROOT, worker.build!.context);
    expect(existsSync(context)).toBe(true);
    expect(existsSync(path.resolve(context, worker.build!.dockerfile))).toBe(true);
    expect(worker.image).toBeUndefined();
  });

  it('lets the worker scale: no container_name and no published port on the worker', () => {
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
  });

  it('runs the worker command with metrics and the connection in TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE', () => {
    expect(worker.command?.map(resolve)).toEqual([
      'worker',
      '--task-queue',
      envExample.get('FANOUT_TASK_QUEUE'),
      '--max-concurrent-agents',
      envExample.get('FANOUT_MAX_CONCURRENT_AGENTS'),
      '--metrics-port',
      envExample.get('FANOUT_METRICS_PORT'),
    ]);
    expect(resolve(worker.environment?.TEMPORAL_ADDRESS ?? '')).toBe('temporal:7233');
    expect(resolve(worker.environment?.TEMPORAL_NAMESPACE ?? '')).toBe(
      envExample.get('FANOUT_TEMPORAL_NAMESPACE'),
    );
  });

  it('mounts the checkout at the same absolute path inside the worker and starts there', () => {
    const binds = (worker.volumes ?? []).filter((volume) => typeof volume !== 'string');
    expect(binds).toHaveLength(1);
    const bind = binds[0]!;
    expect(bind.type).toBe('bind');
    expect(bind.source).toBe(bind.target);
    expect(worker.working_dir).toBe(bind.source);
    const workspace = resolve(bind.source);
    expect(path.posix.isAbsolute(workspace)).toBe(true);
    expect(() => interpolate(bind.source, new Map())).toThrow(
      /FANOUT_WORKSPACE: set FANOUT_WORKSPACE in \.env/,
    );
  });

  it('stops the worker with SIGTERM under an init process, allowing longer than the agents need to stop', () => {
    expect(worker.init).toBe(true);
    expect(worker.stop_signal).toBe('SIGTERM');
    expect(durationMs(resolve(worker.stop_grace_period ?? '10s'))).toBeGreaterThanOrEqual(
      DEFAULT_AGENT_GRACE_MS + 10_000,
    );
    expect(worker.restart).toBe('unless-stopped');
  });

  it('mounts only project files that exist', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        if (typeof volume !== 'string' || !volume.startsWith('./')) continue;
        const source = volume.split(':')[0]!;
        expect({ name, source, exists: existsSync(path.join(PROJECT_ROOT, source)) }).toEqual({
          name,
          source,
          exists: true,
        });
      }
    }
    for (const script of ['setup-schema.sh', 'create-namespace.sh']) {
      expect(existsSync(path.join(PROJECT_ROOT, 'deploy', 'temporal', script))).toBe(true);
    }
  });

  it('publishes ports in range, on loopback unless .env says otherwise', () => {
    const published = Object.entries(services).flatMap(([name, service]) =>
      (service.ports ?? []).map((port) => ({ name, port: resolve(port) })),
    );
    expect(published.map(({ name }) => name).sort()).toEqual(['temporal', 'temporal-ui']);
    for (const { name, port } of published) {
      const match = /^(?:(\d{1,3}(?:\.\d{1,3}){3}):)?(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(port);
      expect({ name, port, parsed: match !== null }).toEqual({ name, port, parsed: true });
      const [, hostIp, hostPort, containerPort] = match!;
      expect(hostIp).toBe('127.0.0.1');
      for (const number of [Number(hostPort), Number(containerPort)]) {
        expect(number).toBeGreaterThanOrEqual(1);
        expect(number).toBeLessThanOrEqual(65535);
      }
    }
  });

  it('defines every variable it reads in .env.example, with the same value as its default there', () => {
    const uses = stringLeaves(parse(composeText)).flatMap(({ path: at, value }) =>
      variableUses(value).map((use) => ({ at, ...use })),
    );
    expect(uses.length).toBeGreaterThan(0);
    for (const use of uses) {
      expect({ variable: use.name, defined: envExample.has(use.name) }).toEqual({
        variable: use.name,
        defined: true,
      });
      if (use.operator === ':-' || use.operator === '-') {
        expect({ variable: use.name, default: use.operand }).toEqual({
          variable: use.name,
          default: envExample.get(use.name),
        });
      }
    }
    const read = new Set(uses.map((use) => use.name));
    expect([...envExample.keys()].filter((name) => !read.has(name))).toEqual([]);
  });

  itWithTool(
    'docker-compose',
    'passes `docker-compose config` with the values of .env.example',
    (compose) => {
      const result = runTool(compose, [
        '--env-file',
        '.env.example',
        '-f',
        'docker-compose.yml',
        'config',
        '--quiet',
      ]);
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    },
  );

  itWithTool(
    'docker-compose',
    'refuses to start without FANOUT_WORKSPACE and says where to set it',
    (compose) => {
      const folder = mkdtempSync(path.join(os.tmpdir(), 'compose-env-'));
      const envFile = path.join(folder, 'no-workspace.env');
      writeFileSync(
        envFile,
        [...envExample]
          .filter(([name]) => name !== 'FANOUT_WORKSPACE')
          .map(([k, v]) => `${k}=${v}\n`)
          .join(''),
      );
      const result = runTool(compose, [
        '--env-file',
        envFile,
        '-f',
        'docker-compose.yml',
        'config',
        '--quiet',
      ]);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('set FANOUT_WORKSPACE in .env to the absolute path of the checkout');
    },
  );
});

describe('.env.example', () => {
  it('marks the PostgreSQL credentials as for development only', () => {
    const text = readProjectFile('.env.example');
    const credentials = text.slice(text.indexOf('PostgreSQL credentials'));
    expect(credentials).toMatch(/^PostgreSQL credentials: FOR DEVELOPMENT ONLY/);
    expect(credentials).toContain('POSTGRES_PASSWORD=');
  });

  it('is the only env file in git: .env is ignored', () => {
    expect(readProjectFile('.gitignore').split('\n')).toContain('.env');
  });
});
