/**
 * Outgoing mail, read once at start-up. Production must name both variables: a reset link
 * sent to a local catcher that nobody reads, or from an address nobody recognises, fails
 * silently for every user, so it is refused at start-up rather than discovered in support
 * tickets. Dev defaults to the demo's mail catcher (maildev on 127.0.0.1:1025).
 */
export interface MailConfig {
  /** `smtp://[user:pass@]host[:port]` (STARTTLS when offered) or `smtps://…` (TLS at once). */
  readonly smtpUrl: string;
  /** The `From` of every mail: an address, with a display name when one was given. */
  readonly from: { readonly name?: string; readonly address: string };
}

export const DEV_SMTP_URL = 'smtp://127.0.0.1:1025';
export const DEV_MAIL_FROM = 'Latchkey <no-reply@idp.localhost>';

type Env = Readonly<Record<string, string | undefined>>;

/** One line per problem into `problems`; never echoes SMTP_URL, which may hold a password. */
export function readMailConfig(
  env: Env,
  mode: 'production' | 'development',
  problems: string[],
): MailConfig {
  const rawUrl = env.SMTP_URL || (mode === 'development' ? DEV_SMTP_URL : '');
  const rawFrom = env.MAIL_FROM || (mode === 'development' ? DEV_MAIL_FROM : '');
  if (rawUrl === '') problems.push('SMTP_URL: required in production (smtp://host:port)');
  else if (!isSmtpUrl(rawUrl)) {
    problems.push('SMTP_URL: must be smtp://[user:password@]host[:port] or smtps://…');
  }
  let from = parseMailbox(DEV_MAIL_FROM)!;
  if (rawFrom === '')
    problems.push('MAIL_FROM: required in production (e.g. no-reply@example.com)');
  else {
    const parsed = parseMailbox(rawFrom);
    if (parsed) from = parsed;
    else {
      problems.push(
        `MAIL_FROM: "${rawFrom.slice(0, 80)}" is not an address such as no-reply@example.com or ` +
          '"Latchkey <no-reply@example.com>"',
      );
    }
  }
  return Object.freeze({ smtpUrl: rawUrl, from: Object.freeze(from) });
}

function isSmtpUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
}

const ADDRESS = /^[^\s@<>"(),;:\\[\]]{1,64}@[A-Za-z0-9.-]{1,253}$/;
// Printable, no quotes or angle brackets: nothing that could end the header or open another.
const DISPLAY_NAME = /^[^"<>\\\p{Cc}]{1,100}$/u;

/** `address` or `Name <address>`; null for anything else (a newline would inject headers). */
export function parseMailbox(raw: string): { name?: string; address: string } | null {
  const text = raw.trim();
  const named = /^(.*?)\s*<([^<>]+)>$/.exec(text);
  if (named) {
    const name = named[1]!.trim();
    const address = named[2]!.trim();
    if (!ADDRESS.test(address) || (name !== '' && !DISPLAY_NAME.test(name))) return null;
    return name === '' ? { address } : { name, address };
  }
  return ADDRESS.test(text) ? { address: text } : null;
}
