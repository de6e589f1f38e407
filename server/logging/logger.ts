/**
 * Structured logs (pino), one child logger per component: JSON lines with `component`, level from
 * LOG_LEVEL (default info); human-readable (pino-pretty) when KUBEQL_LOG_FORMAT=pretty, or when
 * stdout is a terminal and KUBEQL_LOG_FORMAT is not `json`.
 */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

let root: Logger | undefined;

function rootLogger(): Logger {
  if (root) return root;
  const format = process.env.KUBEQL_LOG_FORMAT?.toLowerCase();
  const human = format === 'pretty' || (format !== 'json' && process.stdout.isTTY === true);
  const level = process.env.LOG_LEVEL?.toLowerCase() || 'info';
  const levels = [...Object.keys(pino.levels.values), 'silent'];
  if (!levels.includes(level)) throw new Error(`LOG_LEVEL must be one of ${levels.join(', ')}, not ${process.env.LOG_LEVEL}`);
  const options: pino.LoggerOptions = {
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  // Both destinations write synchronously, so a line logged just before process.exit is not lost.
  root = human
    ? pino(options, pretty({ sync: true, colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,component', messageFormat: '{component}: {msg}' }))
    : pino(options, pino.destination({ dest: 1, sync: true }));
  return root;
}

/** The logger of one component (`api`, `controller-manager`, `scheduler`, `agent`): every line carries `component`. */
export function createLogger(component: string): Logger {
  return rootLogger().child({ component });
}
