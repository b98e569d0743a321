export default function WikiNotFound() {
  return (
    <article className="article notice">
      <h1>Page not found</h1>
      <p className="from">From Latchkey Wiki, the demo encyclopedia of single sign-on</p>
      <p className="lead">
        Latchkey Wiki does not have an article with this exact name. The pages it has are listed on
        the left.
      </p>
      <p>
        <a href="/">← Back to the main page</a>
      </p>
    </article>
  );
}
