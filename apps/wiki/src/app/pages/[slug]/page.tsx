import { notFound } from 'next/navigation';
import { latchkey } from '../../../lib/latchkey';
import { findPage } from '../../../lib/pages';
import { UserBar } from '../../../components/user-bar';

export default async function ArticlePage({ params }: { params: Promise<{ slug: string }> }) {
  // Checked before anything else, so an unknown page does not tell a stranger what exists.
  const session = await latchkey.getSession();
  const { slug } = await params;
  const page = findPage(slug);
  if (!page) notFound();

  return (
    <>
      <UserBar session={session} />
      <article className="article">
        <p className="page-actions">
          <a
            className="button"
            href={`/pages/${encodeURIComponent(page.slug)}/edit`}
            data-testid="edit-page"
            title="Editing asks for your second factor"
          >
            Edit
          </a>
        </p>
        <h1>{page.title}</h1>
        <p className="from">From Latchkey Wiki, the demo encyclopedia of single sign-on</p>
        <p className="lead">{page.summary}</p>
        {page.body.map((paragraph) => (
          <p key={paragraph}>{paragraph}</p>
        ))}
        <p className="see-also">
          <a href="/">← Back to the main page</a>
        </p>
      </article>
    </>
  );
}
