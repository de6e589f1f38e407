/**
 * Quota amounts: each resource name's quantities as exact integers (cpu in millicores, everything
 * else in whole base units rounded up, as Quantity.MilliValue / Quantity.Value), and the text
 * Kubeql writes back in `status.hard` / `status.used` and in admission messages:
 * - cpu (`cpu`, `requests.cpu`, `limits.cpu`): whole cores when exact (`2`), else millicores (`500m`);
 * - memory and storage (`memory`, `requests.memory`, `limits.ephemeral-storage`, `hugepages-2Mi`, ...):
 *   the shortest of the largest exact binary suffix (`1Gi`, `1536Mi`), the largest exact decimal
 *   one (`128M`) and plain bytes (`1000001`);
 * - anything else (object counts `pods`, `count/deployments.apps`, extended resources): a plain integer.
 */
import { milli, parseQuantity } from '../quantity.js';

const isCpu = (name: string) => name === 'cpu' || name.endsWith('.cpu');
const isBytes = (name: string) => /memory|storage|hugepages-/.test(name);

const BINARY: Array<[string, number]> = [['Ei', 2 ** 60], ['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]];
const DECIMAL: Array<[string, number]> = [['E', 1e18], ['P', 1e15], ['T', 1e12], ['G', 1e9], ['M', 1e6], ['k', 1e3]];

/** The integer amount of `value` (a quantity) for resource `name`: millicores for cpu, else base units rounded up. */
export function quotaAmount(name: string, value: unknown): number {
  if (isCpu(name)) return milli(value);
  return Math.ceil(parseQuantity(value) ?? 0);
}

/** The shortest of: the largest binary suffix dividing exactly, the largest decimal one, plain bytes (binary first on a tie). */
function withSuffix(amount: number): string {
  if (amount === 0) return '0';
  const candidates = [BINARY, DECIMAL].flatMap((table) => {
    const fit = table.find(([, size]) => amount % size === 0);
    return fit ? [`${amount / fit[1]}${fit[0]}`] : [];
  });
  return [...candidates, String(amount)].reduce((best, c) => (c.length < best.length ? c : best));
}

/** The text of an amount of resource `name` (see the header). */
export function formatQuotaAmount(name: string, amount: number): string {
  if (isCpu(name)) return amount % 1000 === 0 ? String(amount / 1000) : `${amount}m`;
  return isBytes(name) ? withSuffix(amount) : String(amount);
}

/** A map of resource names to quantities, as integer amounts. */
export function quotaAmounts(map: Record<string, unknown> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(map ?? {})) out[name] = quotaAmount(name, value);
  return out;
}

/** Amounts as text, keys sorted. */
export function formatQuotaAmounts(amounts: Record<string, number>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(amounts).sort()) out[name] = formatQuotaAmount(name, amounts[name]);
  return out;
}
