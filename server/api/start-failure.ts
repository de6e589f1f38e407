/** Why the API server could not start, said so that a newcomer knows what to do (no stack trace). */
import { DamagedDatabaseError } from '../store/sqlite/open-database.js';

export function startFailureMessage(error: unknown, where: { host: string; port: number }): string {
  if (error instanceof DamagedDatabaseError) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE')
    return `port ${where.port} on ${where.host} is already in use by another program: stop it, or start Kubeql on another port (PORT=${where.port === 8080 ? 8090 : where.port + 10} npm start)`;
  if (code === 'EACCES' && (error as NodeJS.ErrnoException).syscall === 'listen')
    return `port ${where.port} on ${where.host} needs privileges this user does not have: choose a port above 1023 (PORT=8080 npm start)`;
  if (code === 'EADDRNOTAVAIL') return `${where.host} is not an address of this machine: set HOST to one of its addresses (HOST=127.0.0.1 npm start)`;
  return `cannot start: ${(error as Error).message}`;
}
