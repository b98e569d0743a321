import { notFound, redirect } from 'next/navigation';
import { latchkey } from '../../../../lib/latchkey';
import { findPage } from '../../../../lib/pages';
import { stepUpFor } from '../../../../lib/step-up';
import { UserBar } from '../../../../components/user-bar';

/**
 * Editing a page: the wiki's sensitive action, which a password alone does not unlock. A
 * session signed in with one factor is sent through step-up (the IdP asks for the second
 * factor only) and comes back here; the check runs on this request, whatever the proxy did.
 */
export default async function EditPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const path = `/pages/${encodeURIComponent(slug)}/edit`;
  const session = await latchkey.getSession({ returnTo: path });
  const page = findPage(slug);
  if (!page) notFound();
  const stepUp = stepUpFor(session, path);
  if (stepUp !== undefined) redirect(stepUp);

  return (
    <>
      <UserBar session={session} />
      <article className="article">
        <h1>Editing {page.title}</h1>
        <p className="from" data-testid="edit-unlocked">
          Unlocked by your second factor: this session signed in with{' '}
          <span className="mono" data-testid="amr">
            {session.amr.join(' ')}
          </span>{' '}
          ({session.acr?.replace(/^urn:latchkey:acr:/, '')})
        </p>
        <form className="edit-form" data-testid="edit-form">
          <label htmlFor="summary">Summary</label>
          <input id="summary" name="summary" defaultValue={page.summary} />
          <label htmlFor="body">Text</label>
          <textarea id="body" name="body" rows={12} defaultValue={page.body.join('\n\n')} />
          <p>This demo wiki keeps no edits: the page shows what a second factor unlocks.</p>
          <button type="button" className="button" disabled>
            Save
          </button>
        </form>
        <p className="see-also">
          <a href={`/pages/${encodeURIComponent(slug)}`}>← Back to the page</a>
        </p>
      </article>
    </>
  );
}
