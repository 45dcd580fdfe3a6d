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
type Service = {
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }> | string[];
  build?: unknown;
  image?: string;
};

/** Compose's `${NAME:-default}` as compose resolves it with NAME unset. */
const withDefaults = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).map(([name, value]) => [name, value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));

describe('deployment files agree with the configuration', () => {
  // Merge keys (`<<: *pairpad`), as docker compose reads them.
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
  const dockerfile = read('Dockerfile');
  const apps = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);
  const haproxy = read('deploy/haproxy.cfg');

  it('compose runs PostgreSQL and two pairpad instances wired to it by DATABASE_URL, with healthchecks', () => {
    const { postgres } = compose.services;
    expect(postgres?.image).toMatch(/^postgres:15/);
    expect(postgres?.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(apps.map(([name]) => name)).toEqual(['app1', 'app2']);
    const pgEnv = postgres!.environment!;
    for (const [, app] of apps) {
      expect((app.depends_on as Record<string, { condition: string }>).postgres?.condition).toBe('service_healthy');
      const url = new URL(app.environment!.DATABASE_URL!);
      expect(url.hostname).toBe('postgres');
      expect(decodeURIComponent(url.username)).toBe(pgEnv.POSTGRES_USER);
      expect(decodeURIComponent(url.password)).toBe(pgEnv.POSTGRES_PASSWORD);
      expect(url.pathname).toBe(`/${pgEnv.POSTGRES_DB}`);
    }
  });

  it("each instance's environment is valid cluster configuration: one secret, its own id, reachable at its service name", () => {
    const configs = apps.map(([name, app]) => {
      const env = withDefaults(app.environment!);
      for (const variable of Object.keys(env)) expect(configVariables()).toContain(variable);
      const config = loadConfig(env);
      expect(config.database.kind).toBe('postgres');
      expect(config.host).toBe('0.0.0.0');
      expect(config.cluster).not.toBeNull();
      const internal = new URL(config.cluster!.internalUrl);
      expect(internal.hostname).toBe(name);
      expect(Number(internal.port)).toBe(config.port);
      expect(app.healthcheck!.test.join(' ')).toContain(`127.0.0.1:${config.port}/healthz`);
      expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${config.port}$`, 'm'));
      expect(dockerfile).toContain(`127.0.0.1:${config.port}/healthz`);
      return config;
    });
    expect(new Set(configs.map((config) => config.cluster!.secret)).size).toBe(1);
    expect(new Set(configs.map((config) => config.cluster!.instanceId)).size).toBe(configs.length);
  });

  it('the proxy publishes the port, reads deploy/haproxy.cfg, and balances over exactly the instances by room path', () => {
    const proxy = compose.services.proxy!;
    expect(proxy.image).toMatch(/^haproxy:/);
    expect(proxy.volumes).toContain('./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
    const [published, bind] = proxy.ports![0]!.split(':');
    expect(haproxy).toMatch(new RegExp(`^\\s*bind :${bind}$`, 'm'));
    expect(published).toBe('3000');
    const servers = [...haproxy.matchAll(/^\s*server (\S+) (\S+):(\d+)/gm)].map(([, , host, port]) => `${host}:${port}`);
    expect(servers).toEqual(apps.map(([name, app]) => `${name}:${loadConfig(withDefaults(app.environment!)).port}`));
    expect(haproxy).toMatch(/^\s*balance uri$/m);
    expect(haproxy).toMatch(/^\s*hash-type consistent$/m);
    expect(haproxy).toMatch(/^\s*option httpchk GET \/healthz$/m);
    // WebSockets stay open far longer than an HTTP request.
    expect(haproxy).toMatch(/^\s*timeout tunnel /m);
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
