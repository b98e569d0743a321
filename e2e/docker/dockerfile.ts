/**
 * A Dockerfile read into stages and instructions: enough of the syntax for the static checks
 * and for replaying the build outside Docker (this machine has no Docker engine). Line
 * continuations, comment lines, `--flag=value` options and the JSON (exec) form are handled;
 * heredocs and escape-directive changes are not used here and are refused.
 */

export interface Instruction {
  /** Upper case: FROM, RUN, COPY, ... */
  readonly keyword: string;
  /** Leading `--name=value` options, in order (RUN may repeat --mount). */
  readonly flags: readonly (readonly [string, string])[];
  /** What follows the flags, as written. */
  readonly rest: string;
  /** The exec form `["a", "b"]`, when `rest` is one. */
  readonly exec: readonly string[] | undefined;
  /** 1-based line where the instruction starts. */
  readonly line: number;
}

export interface Stage {
  /** The `AS` name; undefined for an unnamed stage. */
  readonly name: string | undefined;
  /** What FROM names: an image or an earlier stage, possibly with ${ARG}s. */
  readonly from: string;
  readonly line: number;
  /** Everything after FROM, up to the next FROM. */
  readonly instructions: readonly Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM: usable in FROM lines, name -> default. */
  readonly globalArgs: ReadonlyMap<string, string | undefined>;
  readonly stages: readonly Stage[];
}

export class DockerfileSyntaxError extends Error {
  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
    this.name = 'DockerfileSyntaxError';
  }
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs = new Map<string, string | undefined>();
  const stages: {
    name: string | undefined;
    from: string;
    line: number;
    instructions: Instruction[];
  }[] = [];
  for (const instruction of logicalLines(text)) {
    if (instruction.keyword === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(instruction.rest);
      if (!match) throw new DockerfileSyntaxError(`FROM ${instruction.rest}`, instruction.line);
      stages.push({
        from: match[1]!,
        name: match[2]?.toLowerCase(),
        line: instruction.line,
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') {
        throw new DockerfileSyntaxError(`${instruction.keyword} before FROM`, instruction.line);
      }
      const [name, value] = splitAssignment(instruction.rest);
      globalArgs.set(name, value);
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** The instructions, one per logical line (continuations joined, comments dropped). */
function logicalLines(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    // Comment lines are dropped even inside a continued instruction, as Docker does.
    if (trimmed.startsWith('#') || (trimmed === '' && pending === '')) return;
    if (pending === '') start = index + 1;
    if (trimmed.startsWith('<<') || /<<-?\s*["']?[A-Z]+["']?\s*$/.test(trimmed)) {
      throw new DockerfileSyntaxError('heredocs are not supported', index + 1);
    }
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    pending += line;
    if (pending.trim() !== '') out.push(instructionOf(pending.trim(), start));
    pending = '';
  });
  if (pending.trim() !== '') out.push(instructionOf(pending.trim(), start));
  return out;
}

function instructionOf(text: string, line: number): Instruction {
  const match = /^(\S+)\s*(.*)$/s.exec(text)!;
  const keyword = match[1]!.toUpperCase();
  let rest = match[2]!;
  const flags: [string, string][] = [];
  for (;;) {
    const flag = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest);
    if (!flag) break;
    flags.push([flag[1]!, flag[2] ?? '']);
    rest = rest.slice(flag[0].length);
  }
  return { keyword, flags, rest: rest.trim(), exec: execForm(rest.trim(), line), line };
}

function execForm(rest: string, line: number): string[] | undefined {
  // HEALTHCHECK CMD [...] carries its exec form after the word CMD.
  const json = rest.replace(/^CMD\s+/, '');
  if (!json.startsWith('[')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new DockerfileSyntaxError(`not a JSON array: ${json}`, line);
  }
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
    throw new DockerfileSyntaxError(`not an array of strings: ${json}`, line);
  }
  return parsed;
}

/** `NAME=value` or `NAME` (ARG); quotes around the value are removed. */
export function splitAssignment(text: string): [string, string | undefined] {
  const equals = text.indexOf('=');
  if (equals < 0) return [text.trim(), undefined];
  return [text.slice(0, equals).trim(), unquote(text.slice(equals + 1).trim())];
}

/** ENV's `A=1 B=2` form (the legacy `ENV A 1` form is refused). */
export function parseEnvAssignments(rest: string, line: number): [string, string][] {
  const pairs: [string, string][] = [];
  const pattern = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)\s*/gy;
  let consumed = 0;
  for (let match = pattern.exec(rest); match; match = pattern.exec(rest)) {
    pairs.push([match[1]!, unquote(match[2]!)]);
    consumed = pattern.lastIndex;
  }
  if (consumed !== rest.length || pairs.length === 0) {
    throw new DockerfileSyntaxError(`ENV must be NAME=value pairs: ${rest}`, line);
  }
  return pairs;
}

function unquote(value: string): string {
  if (/^".*"$/s.test(value)) return value.slice(1, -1).replace(/\\(.)/g, '$1');
  if (/^'.*'$/s.test(value)) return value.slice(1, -1);
  return value;
}

/** Replaces `${NAME}` and `$NAME` with values; unknown names become empty, as Docker does. */
export function substitute(text: string, values: ReadonlyMap<string, string | undefined>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_, braced: string | undefined, bare: string | undefined) =>
      values.get((braced ?? bare)!) ?? '',
  );
}

export function flagValue(instruction: Instruction, name: string): string | undefined {
  return instruction.flags.find(([flag]) => flag === name)?.[1];
}
