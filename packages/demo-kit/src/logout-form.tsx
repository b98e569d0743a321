/**
 * Logout is a POST so that a cross-site image or link cannot sign anyone out; the SDK then sends
 * the browser to the IdP, which ends the SSO session and so the session in every app.
 */
export function LogoutForm() {
  return (
    <form method="post" action="/auth/logout" className="logout-form">
      <button type="submit" className="button button-logout" data-testid="logout">
        Log out
      </button>
    </form>
  );
}
