/** One validation failure, naming the field as a path (`spec.containers[0].name`). */
export interface FieldError {
  path: string;
  message: string;
}

/** Joins a parent path and a child key or index: `spec` + `containers` → `spec.containers`; + 0 → `spec.containers[0]`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** The path of one map entry: `metadata.labels.app`, or `metadata.labels["app.kubernetes.io/name"]` for keys that are not identifiers. */
export function mapKeyPath(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? childPath(path, key) : `${path}[${JSON.stringify(key)}]`;
}
