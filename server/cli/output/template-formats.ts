/** `-o jsonpath=TEMPLATE` and `-o custom-columns=HEADER:PATH,...`, as kubectl prints them. */
import type { KObject } from '../../resources/kind.js';
import { CliError } from '../cli-error.js';
import { asDocument } from './formats.js';
import { evaluate, parsePath, parseTemplate, renderTemplate, valueText } from './jsonpath.js';
import { formatTable } from './table.js';

const MAX_COLUMNS = 64;

export interface TemplateFormat {
  render(objects: KObject[], single: boolean, headers: boolean): string;
}

/** The template format `-o` names, or undefined for the plain formats. */
export function templateFormat(output: string | undefined): TemplateFormat | undefined {
  if (output === undefined) return undefined;
  const eq = output.indexOf('=');
  const name = eq < 0 ? output : output.slice(0, eq);
  const arg = eq < 0 ? '' : output.slice(eq + 1);
  if (name === 'jsonpath' || name === 'custom-columns') {
    if (!arg) throw new CliError(`${name} format specified but no ${name === 'jsonpath' ? 'template' : 'custom columns'} given (-o ${name}=...)`);
  } else return undefined;
  if (name === 'jsonpath') {
    const nodes = parseTemplate(arg);
    return { render: (objects, single) => renderTemplate(nodes, asDocument(objects, single)) };
  }
  const specs = arg.split(',');
  if (specs.length > MAX_COLUMNS) throw new CliError(`custom-columns: at most ${MAX_COLUMNS} columns`);
  const columns = specs.map((spec) => {
    const colon = spec.indexOf(':');
    if (colon < 1) throw new CliError(`custom-columns format must be HEADER:PATH,...; "${spec}" is not (e.g. NAME:.metadata.name)`);
    let path = spec.slice(colon + 1).trim();
    if (path.startsWith('{') && path.endsWith('}')) path = path.slice(1, -1);
    return { header: spec.slice(0, colon), steps: parsePath(path, spec) };
  });
  return {
    render(objects, _single, headers) {
      const rows = objects.map((o) =>
        columns.map((c) => {
          const values = evaluate(c.steps, o).filter((v) => v !== undefined && v !== null);
          return values.length ? values.map(valueText).join(',') : '<none>';
        }),
      );
      return formatTable([...(headers ? [columns.map((c) => c.header)] : []), ...rows]);
    },
  };
}
