import { existsSync, readFileSync } from 'node:fs';
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

  it('the Dockerfile is multi-stage, builds the web app and starts the real entry point', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/npm run build/);
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    const args = JSON.parse(cmd!) as string[];
    const entry = args.find((arg) => arg.endsWith('.ts'))!;
    expect(existsSync(join(root, entry))).toBe(true);
    // The runtime image must still have the loader it starts with.
    const serverPackage = JSON.parse(read('server/package.json')) as { dependencies: Record<string, string> };
    expect(args).toContain('tsx');
    expect(serverPackage.dependencies.tsx).toBeDefined();
    for (const variable of [...dockerfile.matchAll(/^\s*([A-Z_]+)=/gm)].map((m) => m[1]!)) {
      if (variable !== 'NODE_ENV') expect(configVariables()).toContain(variable);
    }
  });

  it('the README documents every configuration variable', () => {
    const readme = read('README.md');
    for (const name of configVariables()) expect(readme, `README lacks ${name}`).toContain(`\`${name}\``);
  });
});
