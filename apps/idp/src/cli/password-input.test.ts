import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkNewPassword } from '../users/password-policy.js';
import { generatePassword, readNewPassword, type Terminal } from './password-input.js';

/**
 * The terminal side of `users add` / `set-password`: a raw-mode terminal is a stream with
 * `isTTY` and `setRawMode`, so the prompt is driven here by typing into one. (Pipes are
 * covered by users.integration.test.ts, which runs the real command.)
 */
function terminal(keystrokes: string[]): {
  terminal: Terminal;
  shown: () => string;
  raw: boolean[];
} {
  const input = Object.assign(new PassThrough(), {
    isTTY: true,
    setRawMode(raw: boolean) {
      modes.push(raw);
      return input;
    },
  });
  const modes: boolean[] = [];
  const output = new PassThrough();
  let shown = '';
  output.on('data', (chunk: Buffer) => {
    shown += chunk.toString();
    // Each prompt waits for its line: type it when the question appears.
    if (/: $/.test(shown) && keystrokes.length > 0) input.write(keystrokes.shift()!);
  });
  return { terminal: { input, output }, shown: () => shown, raw: modes };
}

describe('the silent prompt', () => {
  it('asks twice, echoes nothing, and leaves raw mode', async () => {
    const tty = terminal(['correct horse\r', 'correct horse\r']);
    await expect(readNewPassword(tty.terminal)).resolves.toBe('correct horse');
    expect(tty.shown()).toBe('New password: \nRepeat it: \n');
    expect(tty.raw).toEqual([true, false, true, false]);
  });

  it('backspace deletes a whole character, even outside the BMP', async () => {
    const tty = terminal(['pass😀\u007fword\r', 'password\r']);
    await expect(readNewPassword(tty.terminal)).resolves.toBe('password');
  });

  it('two different answers are refused', async () => {
    const tty = terminal(['one passphrase\r', 'another one\r']);
    await expect(readNewPassword(tty.terminal)).rejects.toThrow('the two passwords differ');
  });

  it('Ctrl-C abandons, leaving raw mode', async () => {
    const tty = terminal(['half\u0003']);
    await expect(readNewPassword(tty.terminal)).rejects.toThrow('abandoned');
    expect(tty.raw).toEqual([true, false]);
  });
});

describe('standard input', () => {
  const piped = (text: string | Buffer): Terminal => ({
    input: Readable.from([Buffer.from(text)]),
    output: new PassThrough(),
  });

  it.each([
    ['secret words\n', 'secret words'],
    ['secret words\r\n', 'secret words'],
    ['secret words', 'secret words'],
    ['  spaces kept  \n', '  spaces kept  '],
  ])('%j reads as %j', async (text, password) => {
    await expect(readNewPassword(piped(text))).resolves.toBe(password);
  });

  it.each([
    ['', 'no password'],
    ['\n', 'no password'],
    ['one\ntwo\n', 'more than one line'],
    [Buffer.from([0xed, 0xa0, 0x80, 0x41]), 'not UTF-8'],
    ['z'.repeat(70_000), 'too long'],
  ])('refuses %#', async (text, message) => {
    await expect(readNewPassword(piped(text))).rejects.toThrow(message);
  });
});

it('generated passwords: 20 URL-safe characters the policy accepts, never twice the same', () => {
  const made = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const password = generatePassword((candidate) => !checkNewPassword(candidate));
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    made.add(password);
  }
  expect(made.size).toBe(200);
});
