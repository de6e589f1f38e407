/** No or bad token: UNAUTHENTICATED, answered with HTTP 401 (yoga takes the status from extensions.http). */
import { KubeqlError } from '../../errors.js';

export function unauthenticated(): KubeqlError {
  return new KubeqlError('UNAUTHENTICATED', 'a valid bearer token is required: send "Authorization: Bearer <token>" (the admin token is in $DATA_DIR/admin.token)', {
    http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } },
  });
}
