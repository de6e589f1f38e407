// Just enough YAML to show a manifest the way kubectl does.
const plain = (s) => /^[A-Za-z0-9_./:@-][A-Za-z0-9_ ./:@-]*$/.test(s) && !/^(true|false|null|yes|no|on|off|~|[-+]?[0-9.]+(e[-+]?\d+)?)$/i.test(s) && !/\s$/.test(s);
const scalar = (v) => (v === null ? 'null' : typeof v === 'string' ? (plain(v) ? v : JSON.stringify(v)) : String(v));

export function toYaml(value, indent = '') {
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    return value.map((v) => {
      if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) return `${indent}- ${toYaml(v, indent + '  ').trimStart()}`;
      return `${indent}- ${typeof v === 'object' && v !== null ? toYaml(v, indent + '  ') : scalar(v)}`;
    }).join('\n');
  }
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (!keys.length) return '{}';
    return keys.map((k) => {
      const v = value[k];
      const key = plain(k) ? k : JSON.stringify(k);
      if (v && typeof v === 'object' && (Array.isArray(v) ? v.length : Object.keys(v).length)) return `${indent}${key}:\n${toYaml(v, Array.isArray(v) ? indent : indent + '  ')}`;
      return `${indent}${key}: ${v && typeof v === 'object' ? toYaml(v) : scalar(v)}`;
    }).join('\n');
  }
  return scalar(value);
}
