import type { Context } from 'koa';
import { AdminProblem, badRequest, type FieldProblem } from './admin-problem.js';

/** Bodies the admin API takes are a handful of short fields. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Checks one field's value: a problem's text, or undefined when the value is fine. */
export type FieldCheck = (value: unknown) => string | undefined;

/** The fields a body may carry; any other is refused (a typo must not pass silently). */
export type BodyShape = Readonly<Record<string, FieldCheck>>;

/**
 * The request body as a JSON object holding only the fields of `shape`, each one checked:
 * 415 unless the body is JSON, 413 past MAX_BODY_BYTES, 400 for malformed JSON, for a body
 * that is not an object, and for unknown or bad fields (every one listed in `errors`).
 */
export async function readJsonBody(
  ctx: Context,
  shape: BodyShape,
): Promise<Record<string, unknown>> {
  const type = ctx.get('Content-Type');
  const media = type.split(';')[0]!.trim().toLowerCase();
  if (media !== 'application/json' && !/^application\/[a-z0-9.+-]*\+json$/.test(media)) {
    throw new AdminProblem(415, 'unsupported-media-type', 'the body must be application/json', {
      headers: { 'Accept-Patch': 'application/json' },
    });
  }
  const declared = Number(ctx.get('Content-Length') || 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const raw = await readRaw(ctx);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('the body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('the body must be a JSON object');
  }
  const errors: FieldProblem[] = [];
  for (const [name, value] of Object.entries(body)) {
    const check = Object.hasOwn(shape, name) ? shape[name] : undefined;
    if (!check) {
      errors.push({ pointer: pointer(name), detail: 'unknown field' });
      continue;
    }
    const problem = check(value);
    if (problem !== undefined) errors.push({ pointer: pointer(name), detail: problem });
  }
  if (errors.length > 0) throw badRequest('the body has fields that cannot be taken', errors);
  return body as Record<string, unknown>;
}

const tooLarge = () =>
  new AdminProblem(413, 'body-too-large', `the body is larger than ${MAX_BODY_BYTES} bytes`);

/** RFC 6901: `~` and `/` escaped. */
const pointer = (name: string) => `/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;

async function readRaw(ctx: Context): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** Field checks the resources share. */
export const fields = {
  text:
    (max: number): FieldCheck =>
    (value) =>
      typeof value === 'string' && value.length <= max ? undefined : `a string of at most ${max}`,
  boolean: (): FieldCheck => (value) => (typeof value === 'boolean' ? undefined : 'a boolean'),
  textList:
    (max: number): FieldCheck =>
    (value) =>
      Array.isArray(value) &&
      value.length <= max &&
      value.every((item) => typeof item === 'string' && item.length <= 64)
        ? undefined
        : `a list of at most ${max} strings`,
  oneOf:
    (...allowed: string[]): FieldCheck =>
    (value) =>
      typeof value === 'string' && allowed.includes(value)
        ? undefined
        : `one of ${allowed.join(', ')}`,
};

/** Fields a body must carry (after readJsonBody checked the ones it has). */
export function requireFields(body: Record<string, unknown>, names: readonly string[]): void {
  const missing = names.filter((name) => body[name] === undefined);
  if (missing.length > 0) {
    throw badRequest(
      'the body lacks required fields',
      missing.map((name) => ({ pointer: pointer(name), detail: 'required' })),
    );
  }
}
