/** Splits apply's multi-document YAML into its non-empty documents; a syntax error names the document and the line. */
import { parseAllDocuments } from 'yaml';
import { badInput } from '../../errors.js';

export interface ManifestDocument {
  /** Where the document sits in the request: `manifests[i]`, i counting the non-empty documents from 0. */
  path: string;
  value: unknown;
}

export function parseManifests(source: string): ManifestDocument[] {
  const documents: ManifestDocument[] = [];
  for (const doc of parseAllDocuments(source)) {
    const path = `manifests[${documents.length}]`;
    const error = doc.errors[0];
    if (error) {
      const at = error.linePos?.[0];
      const where = at ? ` at line ${at.line}, column ${at.col}` : '';
      // yaml's message repeats the position and quotes the source after a colon; keep the first sentence.
      const reason = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw badInput(path, `YAML syntax error${where}: ${reason}`);
    }
    let value: unknown;
    try {
      value = doc.toJS();
    } catch (e) {
      // An undefined alias, or more aliases than allowed (a "billion laughs" document).
      const start = doc.range?.[0] ?? 0;
      const line = source.slice(0, start).split('\n').length;
      throw badInput(path, `YAML error in the document starting at line ${line}: ${(e as Error).message}`);
    }
    if (value === null || value === undefined) continue;
    documents.push({ path, value });
  }
  return documents;
}
