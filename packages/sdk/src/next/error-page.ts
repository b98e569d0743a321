/** A readable HTML page for what cannot be a redirect: a failed login, an unavailable IdP. */
export function errorPage(
  status: number,
  title: string,
  detail: string,
  retryHref = '/auth/login',
): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f4f5f7;color:#1f2430;font:16px/1.5 system-ui,sans-serif}
main{max-width:32rem;margin:1rem;padding:2rem 2.25rem;background:#fff;border-radius:12px;box-shadow:0 8px 30px rgba(20,30,60,.08)}
h1{margin:0 0 .5rem;font-size:1.35rem}p{margin:.25rem 0 1.25rem;color:#4a5161}
a{display:inline-block;padding:.55rem 1rem;border-radius:8px;background:#2b59c3;color:#fff;text-decoration:none}
</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p><a href="${escapeHtml(retryHref)}">Sign in again</a></main></body></html>`;
  return new Response(html, {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    },
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
