/**
 * Whether the page's token may act: its `scope` claim carries clickprice/ops.write (Cognito leaves it
 * out for anyone outside ops-writers). Read from the token the page holds, to disable what would be
 * refused; the API still decides, and an action forced anyway gets its 403.
 */

export const TOKEN_KEY = 'clickprice.opsToken';
const WRITE_SCOPE = 'clickprice/ops.write';

/** @returns {boolean} */
export function tokenCanAct() {
  const payload = (sessionStorage.getItem(TOKEN_KEY) ?? '').split('.')[1] ?? '';
  try {
    const base64 = payload
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const scope = JSON.parse(atob(base64)).scope;
    return typeof scope === 'string' && scope.split(' ').includes(WRITE_SCOPE);
  } catch {
    return false;
  }
}

/** The extra attributes of a button that acts: none for a token that may, disabled with the reason otherwise. */
export function actionProps() {
  return tokenCanAct()
    ? {}
    : { disabled: true, title: `Read-only token: it lacks ${WRITE_SCOPE}`, 'data-read-only': true };
}
