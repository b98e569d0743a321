import { flagValue, substitute, type Dockerfile, type Stage } from './dockerfile.js';

/**
 * Checks of one Dockerfile. Each returns the problems it found, one line each, so that a test
 * can show them all and can also be run on a broken fixture to prove that it can fail.
 */

/**
 * Every FROM names an earlier stage or a tagged image, and every `--from=` (COPY, RUN
 * --mount) names an earlier stage: a typo in a stage name would otherwise make Docker pull an
 * image of that name.
 */
export function stageReferenceProblems(dockerfile: Dockerfile): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const stage of dockerfile.stages) {
    const from = substitute(stage.from, dockerfile.globalArgs);
    if (!seen.has(from.toLowerCase()) && !isTaggedImage(from)) {
      problems.push(
        `line ${stage.line}: FROM ${stage.from}: neither an earlier stage nor a tagged image`,
      );
    }
    for (const instruction of stage.instructions) {
      const sources = [
        flagValue(instruction, 'from'),
        ...instruction.flags
          .filter(([flag]) => flag === 'mount')
          .map(([, value]) => /(?:^|,)from=([^,]+)/.exec(value)?.[1]),
      ];
      for (const source of sources) {
        if (source !== undefined && !seen.has(source.toLowerCase())) {
          problems.push(
            `line ${instruction.line}: ${instruction.keyword} --from=${source}: no earlier stage has that name`,
          );
        }
      }
    }
    if (stage.name !== undefined) {
      if (seen.has(stage.name))
        problems.push(`line ${stage.line}: stage ${stage.name} defined twice`);
      seen.add(stage.name);
    }
  }
  return problems;
}

/** `name:tag` or `name@sha256:…`; a bare name would float to `latest`. */
function isTaggedImage(reference: string): boolean {
  const lastPart = reference.split('/').at(-1) ?? '';
  return /^[a-z0-9._-]+(:[\w.-]+)?(@sha256:[a-f0-9]{64})?$/.test(lastPart) && /[:@]/.test(lastPart);
}

/** The stages the Turborepo recipe asks for, doing what their names say. */
export function recipeProblems(dockerfile: Dockerfile, packageName: string): string[] {
  const problems: string[] = [];
  const runs = (stage: Stage | undefined) =>
    (stage?.instructions ?? []).filter((i) => i.keyword === 'RUN').map((i) => i.rest);
  const pruner = stageNamed(dockerfile, 'pruner');
  const builder = stageNamed(dockerfile, 'builder') ?? stageNamed(dockerfile, 'installer');
  const runner = dockerfile.stages.at(-1);
  if (!runs(pruner).some((run) => run.includes(`turbo prune ${packageName} --docker`))) {
    problems.push(`no pruner stage running "turbo prune ${packageName} --docker"`);
  }
  if (!runs(builder).some((run) => /pnpm install --frozen-lockfile/.test(run))) {
    problems.push('no builder stage running "pnpm install --frozen-lockfile"');
  }
  if (!runs(builder).some((run) => run.includes(`turbo run build --filter=${packageName}`))) {
    problems.push(`no builder stage running "turbo run build --filter=${packageName}"`);
  }
  if (runner?.name !== 'runner') problems.push('the last stage is not named runner');
  return problems;
}

/**
 * The image runs as a user other than root, has a command and a health check. USER is read
 * as Docker does: the last one in the final stage wins.
 */
export function runnerProblems(dockerfile: Dockerfile): string[] {
  const runner = dockerfile.stages.at(-1);
  if (!runner) return ['no stages'];
  const problems: string[] = [];
  const last = (keyword: string) =>
    runner.instructions.filter((instruction) => instruction.keyword === keyword).at(-1);
  const user = last('USER')?.rest;
  if (user === undefined) problems.push('the runner stage has no USER: it would run as root');
  else if (/^(root|0)(:.*)?$/.test(user)) problems.push(`the runner stage runs as ${user}`);
  if (!last('CMD') && !last('ENTRYPOINT')) problems.push('the runner stage has no CMD');
  const healthcheck = last('HEALTHCHECK');
  if (!healthcheck || /^NONE$/i.test(healthcheck.rest)) {
    problems.push('the runner stage has no HEALTHCHECK');
  }
  return problems;
}

export function stageNamed(dockerfile: Dockerfile, name: string): Stage | undefined {
  return dockerfile.stages.find((stage) => stage.name === name);
}

/** The default of an ARG declared in any stage (PNPM_VERSION, TURBO_VERSION). */
export function argDefault(dockerfile: Dockerfile, name: string): string | undefined {
  for (const stage of dockerfile.stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword !== 'ARG') continue;
      const [argName, value] = instruction.rest.split('=', 2);
      if (argName === name) return value;
    }
  }
  return dockerfile.globalArgs.get(name);
}
