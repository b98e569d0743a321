import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative } from 'node:path';
import { dockerIgnoreMatcher } from './docker-ignore.js';
import {
  flagValue,
  parseDockerfile,
  parseEnvAssignments,
  splitAssignment,
  substitute,
  type Instruction,
  type Stage,
} from './dockerfile.js';

/**
 * Runs a Dockerfile's build steps outside Docker (this machine has no Docker engine), so that
 * a test can start what the runner stage would hold. Each stage gets a directory standing for
 * its filesystem root; COPY copies between them (honouring .dockerignore for the build
 * context), RUN runs in the stage's WORKDIR with its ENV and ARGs, and the last stage's ENV,
 * USER, CMD and HEALTHCHECK are returned.
 *
 * What cannot be replayed is refused rather than faked: a RUN naming an absolute path (it
 * would touch this machine), wildcards in COPY, instructions not listed below. The base
 * image's contents are this machine's: `npm install -g tool@version` is satisfied by the
 * same version already here (checked), instead of installing globally.
 */

export interface ReplayedImage {
  /** The directory standing for the final image's `/`. */
  readonly rootDir: string;
  /** WORKDIR of the final stage, on this machine. */
  readonly workdir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly user: string | undefined;
  readonly cmd: readonly string[];
  readonly healthcheck: readonly string[] | undefined;
  /** How long each RUN took, for the report. */
  readonly timings: readonly { stage: string; step: string; ms: number }[];
}

export interface ReplayOptions {
  /** The build context (the repository root). */
  readonly context: string;
  /** The Dockerfile, relative to the context. */
  readonly dockerfile: string;
  /** An empty directory for the stages' filesystems. */
  readonly workDir: string;
  /** Where the `turbo` binary comes from (same version as the Dockerfile pins). */
  readonly localTools: Readonly<Record<string, string>>;
  /** Bound on each RUN. */
  readonly runTimeoutMs: number;
}

interface StageState {
  readonly name: string;
  readonly root: string;
  cwd: string;
  env: Map<string, string>;
  args: Map<string, string>;
  user: string | undefined;
  cmd: string[];
  healthcheck: string[] | undefined;
}

export async function replayDockerfile(options: ReplayOptions): Promise<ReplayedImage> {
  const dockerfile = parseDockerfile(
    readFileSync(join(options.context, options.dockerfile), 'utf8'),
  );
  const ignoreFile = join(options.context, '.dockerignore');
  const ignored = existsSync(ignoreFile)
    ? dockerIgnoreMatcher(readFileSync(ignoreFile, 'utf8'))
    : () => false;
  const globalBin = join(options.workDir, 'global-bin');
  mkdirSync(globalBin, { recursive: true });
  const timings: { stage: string; step: string; ms: number }[] = [];
  const built = new Map<string, StageState>();
  const target = dockerfile.stages.at(-1)!;
  const globalArgs = new Map(
    [...dockerfile.globalArgs].map(([name, value]) => [name, value ?? ''] as const),
  );

  const stageName = (stage: Stage, index: number) => stage.name ?? String(index);
  const findStage = (reference: string) =>
    dockerfile.stages.findIndex(
      (stage, index) => stageName(stage, index) === reference.toLowerCase(),
    );

  const build = async (index: number): Promise<StageState> => {
    const stage = dockerfile.stages[index]!;
    const name = stageName(stage, index);
    const done = built.get(name);
    if (done) return done;
    const root = join(options.workDir, 'stages', name);
    mkdirSync(root, { recursive: true });
    const from = substitute(stage.from, globalArgs);
    const parentIndex = findStage(from);
    let state: StageState;
    if (parentIndex >= 0 && parentIndex < index) {
      const parent = await build(parentIndex);
      cpSync(parent.root, root, { recursive: true, verbatimSymlinks: true });
      state = { ...parent, name, root, env: new Map(parent.env), args: new Map() };
    } else {
      state = {
        name,
        root,
        cwd: '/',
        env: new Map(),
        args: new Map(),
        user: undefined,
        cmd: [],
        healthcheck: undefined,
      };
    }
    for (const instruction of stage.instructions) {
      const at = `${options.dockerfile}:${instruction.line}`;
      const values = new Map([...state.args, ...state.env]);
      switch (instruction.keyword) {
        case 'ARG': {
          const [arg, value] = splitAssignment(instruction.rest);
          state.args.set(arg, value ?? globalArgs.get(arg) ?? '');
          break;
        }
        case 'ENV':
          for (const [key, value] of parseEnvAssignments(instruction.rest, instruction.line)) {
            state.env.set(key, substitute(value, values));
          }
          break;
        case 'WORKDIR':
          state.cwd = posix.resolve(state.cwd, substitute(instruction.rest, values));
          mkdirSync(join(root, state.cwd), { recursive: true });
          break;
        case 'COPY': {
          const sourceStage = flagValue(instruction, 'from');
          const sourceRoot =
            sourceStage === undefined ? undefined : (await build(findStage(sourceStage))).root;
          copy(instruction, state, sourceRoot, options.context, ignored);
          break;
        }
        case 'RUN': {
          const started = Date.now();
          await run(instruction, state, { ...options, globalBin, at });
          timings.push({
            stage: name,
            step: instruction.rest.slice(0, 80),
            ms: Date.now() - started,
          });
          break;
        }
        case 'USER':
          state.user = instruction.rest;
          break;
        case 'CMD':
          state.cmd = [...requireExec(instruction, at)];
          break;
        case 'HEALTHCHECK':
          state.healthcheck = /^NONE$/i.test(instruction.rest)
            ? undefined
            : [...requireExec(instruction, at)];
          break;
        case 'EXPOSE':
        case 'LABEL':
          break;
        default:
          throw new Error(`${at}: ${instruction.keyword} is not supported by the replay`);
      }
    }
    built.set(name, state);
    return state;
  };

  const final = await build(dockerfile.stages.indexOf(target));
  return {
    rootDir: final.root,
    workdir: join(final.root, final.cwd),
    env: Object.fromEntries(final.env),
    user: final.user,
    cmd: final.cmd,
    healthcheck: final.healthcheck,
    timings,
  };
}

function requireExec(instruction: Instruction, at: string): readonly string[] {
  if (!instruction.exec) throw new Error(`${at}: ${instruction.keyword} must use the exec form`);
  return instruction.exec;
}

function copy(
  instruction: Instruction,
  state: StageState,
  sourceRoot: string | undefined,
  context: string,
  ignored: (relativePath: string) => boolean,
): void {
  const unknown = instruction.flags.filter(
    ([flag]) => !['from', 'chown', 'chmod', 'link'].includes(flag),
  );
  if (unknown.length > 0)
    throw new Error(`COPY --${unknown[0]![0]} is not supported by the replay`);
  const parts = instruction.exec ?? instruction.rest.split(/\s+/);
  const destination = parts.at(-1)!;
  const sources = parts.slice(0, -1);
  if (sources.some((source) => /[*?[]/.test(source))) {
    throw new Error(`line ${instruction.line}: COPY wildcards are not supported by the replay`);
  }
  const target = join(state.root, posix.resolve(state.cwd, destination));
  const intoDirectory = destination.endsWith('/') || sources.length > 1;
  for (const source of sources) {
    const from = sourceRoot === undefined ? join(context, source) : join(sourceRoot, source);
    if (sourceRoot === undefined && relative(context, from).startsWith('..')) {
      throw new Error(`COPY ${source}: outside the build context`);
    }
    if (!existsSync(from)) throw new Error(`line ${instruction.line}: COPY ${source}: not found`);
    const filter = (path: string) =>
      sourceRoot !== undefined || path === context || !ignored(relative(context, path));
    if (statSync(from).isDirectory()) {
      // A directory's contents are copied, not the directory itself, as Docker does.
      cpSync(from, target, { recursive: true, verbatimSymlinks: true, filter });
    } else {
      const file =
        intoDirectory || (existsSync(target) && statSync(target).isDirectory())
          ? join(target, posix.basename(source))
          : target;
      cpSync(from, file, { verbatimSymlinks: true });
    }
  }
}

async function run(
  instruction: Instruction,
  state: StageState,
  options: ReplayOptions & { globalBin: string; at: string },
): Promise<void> {
  const unknown = instruction.flags.filter(([flag]) => flag !== 'mount');
  if (unknown.length > 0)
    throw new Error(`${options.at}: RUN --${unknown[0]![0]} is not supported`);
  const command = instruction.rest;
  const values = new Map([...state.args, ...state.env]);
  const globalInstall = /^npm (?:install|i) -g (\S+)$/.exec(command);
  if (globalInstall) {
    provideTool(substitute(globalInstall[1]!, values), options);
    return;
  }
  // Cache mounts only keep pnpm's store between builds; this machine's store plays that part.
  if (/(^|[\s=:'"])\/(?!dev\/null\b)/.test(command)) {
    throw new Error(
      `${options.at}: RUN names an absolute path; keep RUN relative to WORKDIR: ${command}`,
    );
  }
  const child = spawn('/bin/sh', ['-c', command], {
    cwd: join(state.root, state.cwd),
    env: {
      HOME: process.env.HOME,
      ...Object.fromEntries(values),
      PATH: [unprivilegedShims(), options.globalBin, process.env.PATH].filter(Boolean).join(':'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, options.runTimeoutMs);
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(null));
    child.once('close', (exitCode) => resolve(exitCode));
  });
  clearTimeout(timer);
  if (code !== 0) {
    throw new Error(
      `${options.at}: RUN ${command}\nexited ${code ?? 'on a signal (timeout?)'}:\n${output}`,
    );
  }
}

/** `npm install -g tool@version` in the image: the same version of the tool on this machine. */
function provideTool(
  spec: string,
  options: ReplayOptions & { globalBin: string; at: string },
): void {
  const at = spec.lastIndexOf('@');
  const [tool, version] = [spec.slice(0, at), spec.slice(at + 1)];
  const binary = options.localTools[tool];
  if (!binary)
    throw new Error(`${options.at}: no local ${tool} to stand for npm install -g ${spec}`);
  const local = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (local !== version) {
    throw new Error(
      `${options.at}: the image installs ${tool} ${version}, this machine has ${local}`,
    );
  }
  const link = join(options.globalBin, tool);
  if (!existsSync(link)) symlinkSync(binary, link);
}

let shims: string | undefined;
/**
 * Only root may `chown`, and `pnpm test` must pass without root: for anyone else a RUN's
 * chown is a no-op. Ownership inside the image is Docker's to apply (the static Dockerfile
 * checks pin the uid); the replay checks what the steps build. Empty for root.
 */
function unprivilegedShims(): string {
  if (process.getuid?.() === 0) return '';
  if (shims === undefined) {
    shims = mkdtempSync(join(tmpdir(), 'latchkey-replay-shims-'));
    writeFileSync(join(shims, 'chown'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  }
  return shims;
}
