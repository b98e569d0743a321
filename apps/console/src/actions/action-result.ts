/** What a console action answers the form that sent it. */
export type ActionResult =
  | {
      ok: true;
      message: string;
      /** Shown once (a new client secret, a reset link): it is a credential, never stored. */
      secret?: { label: string; value: string };
    }
  | { ok: false; message: string }
  | null;

export type ConsoleAction = (previous: ActionResult, form: FormData) => Promise<ActionResult>;
