import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';

/**
 * Where an operator's command gets a new password: never from argv (any user on the machine
 * reads it in `ps`, and shells keep it in their history), but from standard input (a pipe,
 * a secrets manager) or, on a terminal, a prompt that does not echo, asked twice.
 */
export class PasswordInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PasswordInputError';
  }
}

/** Generous: the policy refuses more than 128 characters; this only bounds what is read. */
const MAX_INPUT_BYTES = 64 * 1024;

export interface Terminal {
  input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: Writable;
}

/** The password from a pipe (first line, without its line end) or a silent prompt. */
export async function readNewPassword(terminal: Terminal): Promise<string> {
  if (terminal.input.isTTY && terminal.input.setRawMode) {
    const first = await prompt(terminal, 'New password: ');
    const second = await prompt(terminal, 'Repeat it: ');
    if (first !== second) throw new PasswordInputError('the two passwords differ');
    return first;
  }
  const text = await readAll(terminal.input);
  // One line: `echo pw |` and `printf pw |` both work; a second line is refused, not joined.
  const password = text.replace(/\r?\n$/, '');
  if (/[\r\n]/.test(password)) {
    throw new PasswordInputError('standard input holds more than one line');
  }
  if (password === '') {
    throw new PasswordInputError(
      'no password on standard input (pipe one in, run on a terminal, or use --generate)',
    );
  }
  return password;
}

async function readAll(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_INPUT_BYTES) throw new PasswordInputError('standard input is too long');
    chunks.push(buffer);
  }
  // fatal: bytes that are not UTF-8 are refused rather than silently replaced.
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new PasswordInputError('standard input is not UTF-8 text');
  }
}

/** Reads one line on a raw terminal without echoing it. Ctrl-C and Ctrl-D abandon. */
function prompt({ input, output }: Terminal, question: string): Promise<string> {
  output.write(question);
  input.setRawMode!(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode!(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const character of chunk.toString('utf8')) {
        if (character === '\r' || character === '\n') return finish();
        if (character === '\u0003' || character === '\u0004') {
          return finish(new PasswordInputError('abandoned'));
        }
        if (character === '\u007f' || character === '\b') {
          typed = [...typed].slice(0, -1).join('');
        } else {
          typed += character;
        }
      }
    };
    input.on('data', onData);
  });
}

/**
 * A password for `--generate`: 120 random bits as 20 URL-safe characters, easy to paste and
 * far beyond any list of common passwords. `acceptable` (the policy) is asked anyway.
 */
export function generatePassword(acceptable: (password: string) => boolean): string {
  for (;;) {
    const password = randomBytes(15).toString('base64url');
    if (acceptable(password)) return password;
  }
}
