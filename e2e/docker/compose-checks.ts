import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Checks of a parsed docker-compose.yml. Each returns the problems it found, one line each,
 * so that a test can show them all and can also be run on a broken fixture.
 * Only the parts of the Compose schema the demo uses are read; anything else is ignored.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function services(compose: unknown): Map<string, Json> {
  const found = new Map<string, Json>();
  const all = isObject(compose) ? compose.services : undefined;
  if (!isObject(all)) return found;
  for (const [name, service] of Object.entries(all)) {
    if (isObject(service)) found.set(name, service);
  }
  return found;
}

export function missingServiceProblems(compose: unknown, names: readonly string[]): string[] {
  const present = services(compose);
  return names.filter((name) => !present.has(name)).map((name) => `no service ${name}`);
}

/** Each service publishes its port on the same host port (the Contract's URLs use them). */
export function publishedPortProblems(
  compose: unknown,
  expected: Readonly<Record<string, number>>,
): string[] {
  const all = services(compose);
  return Object.entries(expected).flatMap(([name, port]) => {
    const ports = all.get(name)?.ports;
    const published = (Array.isArray(ports) ? ports : []).map(publishedPair);
    return published.some((pair) => pair?.host === port && pair.container === port)
      ? []
      : [`${name} does not publish port ${port} as ${port}`];
  });
}

/** `"4000:4000"`, `"127.0.0.1:4000:4000"`, `"4000:4000/tcp"` or the long syntax. */
function publishedPair(entry: unknown): { host: number; container: number } | undefined {
  if (isObject(entry)) {
    return { host: Number(entry.published), container: Number(entry.target) };
  }
  if (typeof entry !== 'string' && typeof entry !== 'number') return undefined;
  const parts = String(entry)
    .replace(/\/(tcp|udp)$/, '')
    .split(':');
  if (parts.length < 2) return undefined;
  return { host: Number(parts.at(-2)), container: Number(parts.at(-1)) };
}

/**
 * Every service has a health check, in the compose file or in the image its Dockerfile
 * builds (`dockerfileHasHealthcheck` reads that Dockerfile).
 */
export function healthcheckProblems(
  compose: unknown,
  dockerfileHasHealthcheck: (dockerfilePath: string) => boolean,
): string[] {
  const problems: string[] = [];
  for (const [name, service] of services(compose)) {
    const healthcheck = service.healthcheck;
    if (isObject(healthcheck)) {
      if (healthcheck.disable === true || firstWord(healthcheck.test) === 'NONE') {
        problems.push(`${name}: health check disabled`);
      } else if (healthcheck.test === undefined) {
        problems.push(`${name}: healthcheck has no test`);
      }
      continue;
    }
    const dockerfile = dockerfileOf(service);
    if (dockerfile === undefined || !dockerfileHasHealthcheck(dockerfile)) {
      problems.push(`${name}: no healthcheck in the compose file or in its Dockerfile`);
    }
  }
  return problems;
}

const firstWord = (test: unknown): unknown => (Array.isArray(test) ? test[0] : test);

/** Every dependency waits for the other service to be healthy, not merely started. */
export function dependsOnProblems(compose: unknown): string[] {
  const all = services(compose);
  const problems: string[] = [];
  for (const [name, service] of all) {
    const dependsOn = service.depends_on;
    if (dependsOn === undefined) continue;
    if (!isObject(dependsOn)) {
      problems.push(`${name}: depends_on is a list, which waits only for the start`);
      continue;
    }
    for (const [target, options] of Object.entries(dependsOn)) {
      if (!all.has(target)) problems.push(`${name}: depends on unknown service ${target}`);
      if (!isObject(options) || options.condition !== 'service_healthy') {
        problems.push(`${name}: depends on ${target} without condition: service_healthy`);
      }
    }
  }
  return problems;
}

/** Redis writes an append-only file to a named volume mounted at its data directory. */
export function redisPersistenceProblems(compose: unknown, name = 'redis'): string[] {
  const redis = services(compose).get(name);
  if (!redis) return [`no service ${name}`];
  const problems: string[] = [];
  const command = Array.isArray(redis.command)
    ? redis.command.join(' ')
    : typeof redis.command === 'string'
      ? redis.command
      : '';
  if (!/(^|\s)--appendonly\s+yes(\s|$)/.test(command)) {
    problems.push(`${name}: command does not turn on --appendonly yes`);
  }
  const declared = isObject(compose) && isObject(compose.volumes) ? compose.volumes : {};
  const volumes = Array.isArray(redis.volumes) ? redis.volumes : [];
  const named = volumes.some((volume) => {
    const [source, target] = isObject(volume)
      ? [volume.source, volume.target]
      : String(volume).split(':');
    return typeof source === 'string' && source in declared && target === '/data';
  });
  if (!named) problems.push(`${name}: no named volume (declared under volumes:) at /data`);
  return problems;
}

/** build.dockerfile, relative to the repository root (the context the demo uses). */
export function dockerfileOf(service: Json): string | undefined {
  const build = service.build;
  if (!isObject(build)) return undefined;
  const context = typeof build.context === 'string' ? build.context : '.';
  const dockerfile = typeof build.dockerfile === 'string' ? build.dockerfile : 'Dockerfile';
  return join(context, dockerfile);
}

export function missingDockerfileProblems(compose: unknown, root: string): string[] {
  const problems: string[] = [];
  for (const [name, service] of services(compose)) {
    if (service.build === undefined) continue;
    const dockerfile = dockerfileOf(service);
    if (dockerfile === undefined) problems.push(`${name}: build has no context/dockerfile`);
    else if (!existsSync(join(root, dockerfile)))
      problems.push(`${name}: ${dockerfile} does not exist`);
  }
  return problems;
}

/** The environment as a map, from either the map or the `NAME=value` list syntax. */
export function environmentOf(service: Json | undefined): Map<string, string> {
  const env = new Map<string, string>();
  const raw = service?.environment;
  if (Array.isArray(raw)) {
    for (const entry of raw) {
      const [name, ...value] = String(entry).split('=');
      env.set(name!, value.join('='));
    }
  } else if (isObject(raw)) {
    // Compose accepts strings, numbers, booleans and null (unset) as values.
    for (const [name, value] of Object.entries(raw)) {
      const scalar =
        typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
      env.set(name, scalar ? String(value) : '');
    }
  }
  return env;
}

export function environmentProblems(
  compose: unknown,
  expected: Readonly<Record<string, Readonly<Record<string, string>>>>,
): string[] {
  const all = services(compose);
  return Object.entries(expected).flatMap(([name, variables]) => {
    const env = environmentOf(all.get(name));
    return Object.entries(variables)
      .filter(([variable, value]) => env.get(variable) !== value)
      .map(
        ([variable, value]) =>
          `${name}: ${variable} is ${env.get(variable) ?? 'unset'}, not ${value}`,
      );
  });
}

/** Images pulled as they are (no `build:`) carry a tag other than `latest`: a known version. */
export function untaggedImageProblems(compose: unknown): string[] {
  const problems: string[] = [];
  for (const [name, service] of services(compose)) {
    if (service.build !== undefined) continue;
    const image = typeof service.image === 'string' ? service.image : '';
    const tag = /:([^/:@]+)$/.exec(image)?.[1];
    if (!tag || tag === 'latest') problems.push(`${name}: image "${image}" has no version tag`);
  }
  return problems;
}

/** Every published port is bound to 127.0.0.1: the demo's secrets are public. */
export function loopbackPortProblems(compose: unknown): string[] {
  const problems: string[] = [];
  for (const [name, service] of services(compose)) {
    const ports = Array.isArray(service.ports) ? service.ports : [];
    for (const entry of ports) {
      const hostIp = isObject(entry)
        ? entry.host_ip
        : String(entry).split(':').length === 3
          ? String(entry).split(':')[0]
          : undefined;
      if (hostIp !== '127.0.0.1') {
        problems.push(`${name}: port ${JSON.stringify(entry)} is not bound to 127.0.0.1`);
      }
    }
  }
  return problems;
}

/**
 * The services of an optional profile carry exactly that profile, and no other service
 * carries any: `docker compose up` without `--profile` starts what it always started.
 */
export function profileProblems(
  compose: unknown,
  profile: string,
  members: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const [name, service] of services(compose)) {
    const profiles = Array.isArray(service.profiles) ? service.profiles.map(String) : [];
    if (members.includes(name)) {
      if (profiles.length !== 1 || profiles[0] !== profile) {
        problems.push(`${name}: profiles are [${profiles.join(', ')}], not [${profile}]`);
      }
    } else if (profiles.length > 0) {
      problems.push(`${name}: in profiles [${profiles.join(', ')}], not the default`);
    }
  }
  return problems;
}

/** A service's command as one line, from the list or the string form. */
export function commandOf(service: Json | undefined): string {
  const command = service?.command;
  if (Array.isArray(command)) return command.map(String).join(' ');
  return typeof command === 'string' ? command : '';
}
