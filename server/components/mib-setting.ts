/**
 * A size in MiB from the environment, for a V8 flag of a plane process: digits only (Number() would
 * also take ' 64', '0x40', '1e1' and '64 --inspect' would reach the command line as a second flag),
 * from 0 to `max`; unset or empty is `fallback`. Anything else throws, naming the setting.
 */
export function mibSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const raw = env[name];
  const mb = raw === undefined || raw === '' ? fallback : /^\d{1,7}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(mb) || mb > max) throw new Error(`${name} must be a whole number of MiB from 0 (V8's default) to ${max}, not ${raw}`);
  return mb;
}
