'use client';

import { useActionState, useEffect, useState, type ReactNode } from 'react';
import type { ActionResult, ConsoleAction } from '../actions/action-result';

/**
 * A console action's form: hidden fields naming what it acts on, a button, and the action's
 * answer beneath it. With `confirm`, the button first opens a warning with the real button in
 * it (a two-step confirmation that needs no script to work).
 */
export function ActionForm({
  action,
  fields = {},
  label,
  tone = 'primary',
  confirm,
  testId,
  children,
}: {
  action: ConsoleAction;
  fields?: Record<string, string>;
  label: string;
  tone?: 'primary' | 'quiet' | 'danger';
  confirm?: string;
  testId?: string;
  children?: ReactNode;
}) {
  const [result, formAction, pending] = useActionState<ActionResult, FormData>(action, null);
  // Until React has hydrated the form, a click posts it as a plain form and the page reloads
  // without the action's answer: marked for the browser tests, which wait for it.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const buttonClass = `button button-small${tone === 'primary' ? '' : ` button-${tone}`}`;
  const form = (
    <form
      action={formAction}
      className={children ? 'stack-form' : 'inline-form'}
      data-hydrated={hydrated ? '' : undefined}
    >
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {children}
      <button type="submit" className={buttonClass} disabled={pending} data-testid={testId}>
        {pending ? 'Working…' : label}
      </button>
    </form>
  );
  return (
    <div className="action">
      {confirm === undefined ? (
        form
      ) : (
        <details className="confirm">
          <summary className={buttonClass} data-testid={testId && `${testId}-open`}>
            {label}…
          </summary>
          <p className="muted">{confirm}</p>
          {form}
        </details>
      )}
      {result === null ? null : (
        <div
          className={`result ${result.ok ? 'result-ok' : 'result-bad'}`}
          role="status"
          data-testid="action-result"
        >
          {result.message}
          {result.ok && result.secret ? (
            <code className="secret" data-testid="one-time-secret">
              {result.secret.value}
            </code>
          ) : null}
        </div>
      )}
    </div>
  );
}
