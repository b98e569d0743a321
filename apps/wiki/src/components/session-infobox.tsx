import type { LatchkeySession } from '@latchkey/sdk/next';
import { Countdown } from '@latchkey/demo-kit/countdown';

/** The session as an encyclopedia infobox. */
export function SessionInfobox({ session }: { session: LatchkeySession }) {
  const expiresAt = session.expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return (
    <table className="infobox">
      <caption>Your session</caption>
      <tbody>
        <tr>
          <th scope="row">Username</th>
          <td data-testid="username">{session.username}</td>
        </tr>
        <tr>
          <th scope="row">Roles</th>
          <td data-testid="roles">
            {session.roles.length === 0 ? 'none' : session.roles.join(', ')}
          </td>
        </tr>
        <tr>
          <th scope="row">Subject</th>
          <td className="mono" data-testid="sub">
            {session.sub}
          </td>
        </tr>
        <tr>
          <th scope="row">Session id</th>
          <td className="mono" data-testid="sid">
            {session.sid}
          </td>
        </tr>
        <tr>
          <th scope="row">Signed in with</th>
          <td className="mono" data-testid="amr">
            {session.amr.join(' ') || 'pwd'}
            {session.acr ? ` (${session.acr.replace(/^urn:latchkey:acr:/, '')})` : ''}
          </td>
        </tr>
        <tr>
          <th scope="row">Signing key</th>
          <td className="mono" data-testid="kid">
            {session.kid}
          </td>
        </tr>
        <tr>
          <th scope="row">Algorithm</th>
          <td className="mono">{session.alg}</td>
        </tr>
        <tr>
          <th scope="row">Token expires</th>
          <td>
            <time className="mono" dateTime={expiresAt} data-testid="expires-at">
              {expiresAt}
            </time>
            <br />
            <Countdown until={expiresAt} />
          </td>
        </tr>
      </tbody>
    </table>
  );
}
