import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../src/config';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Every environment variable config.ts reads, found in its source. */
function configVariables(): string[] {
  const source = read('server/src/config.ts');
  return [...new Set([...source.matchAll(/(?:raw|int|oneOf|url)\('([A-Z_]+)'/g)].map((m) => m[1]!))].sort();
}

// No Docker engine runs on our machines: these checks keep the compose file, the Dockerfile,
// the config and the README in agreement instead.
describe('deployment files agree with the configuration', () => {
  const compose = parse(read('docker-compose.yml')) as {
    services: Record<string, { environment?: Record<string, string>; ports?: string[]; healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }>; build?: unknown; image?: string }>;
  };
  const dockerfile = read('Dockerfile');

  it('compose has a postgres and an app service wired by DATABASE_URL, with healthchecks', () => {
    const { postgres, app } = compose.services;
    expect(postgres?.image).toMatch(/^postgres:15/);
    expect(postgres?.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(app?.build).toBeDefined();
    expect(app?.depends_on?.postgres?.condition).toBe('service_healthy');
    const url = new URL(app!.environment!.DATABASE_URL!);
    expect(url.hostname).toBe('postgres');
    const pgEnv = postgres!.environment!;
    expect(decodeURIComponent(url.username)).toBe(pgEnv.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(pgEnv.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${pgEnv.POSTGRES_DB}`);
  });

  it("the app's environment is valid configuration, and its port is the published and exposed one", () => {
    const env = compose.services.app!.environment!;
    for (const name of Object.keys(env)) expect(configVariables()).toContain(name);
    const config = loadConfig(env);
    expect(config.database.kind).toBe('postgres');
    expect(config.host).toBe('0.0.0.0');
    expect(compose.services.app!.ports).toContain(`${config.port}:${config.port}`);
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${config.port}$`, 'm'));
    expect(compose.services.app!.healthcheck!.test.join(' ')).toContain(`127.0.0.1:${config.port}/healthz`);
    expect(dockerfile).toContain(`127.0.0.1:${config.port}/healthz`);
  });

  it('the Dockerfile is multi-stage on the current Node LTS, builds the app and the server bundle, and starts that bundle', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    for (const [, version] of dockerfile.matchAll(/^FROM node:(\d+)/gm)) expect(['22', '24']).toContain(version);
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/npm run build/);
    // `npm run build` writes the bundle the image starts (scripts/build-server.mjs).
    const rootPackage = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(rootPackage.scripts.build).toContain('scripts/build-server.mjs');
    expect(read('scripts/build-server.mjs')).toContain("join(root, 'server', 'dist', 'main.mjs')");
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    const args = JSON.parse(cmd!) as string[];
    expect(args).toEqual(['node', 'server/dist/main.mjs']);
    for (const variable of [...dockerfile.matchAll(/^\s*([A-Z_]+)=/gm)].map((m) => m[1]!)) {
      if (variable !== 'NODE_ENV') expect(configVariables()).toContain(variable);
    }
  });

  it('the README documents every configuration variable', () => {
    const readme = read('README.md');
    for (const name of configVariables()) expect(readme, `README lacks ${name}`).toContain(`\`${name}\``);
  });
});
