/** Splits apply's multi-document YAML into its non-empty documents; a syntax error names the document and the line. */
import { parseAllDocuments } from 'yaml';
import { badInput } from '../../errors.js';
import { MAX_OBJECT_DEPTH, pathTooDeep } from '../../resources/object-bounds.js';

/** yaml's parser recurses per level of nesting: far past any real manifest, it runs out of stack. */
const tooDeepForParser = (message: string) => /call stack/i.test(message);

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
      const first = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      const reason = tooDeepForParser(first) ? `nested deeper than ${MAX_OBJECT_DEPTH} levels` : first;
      throw badInput(path, `YAML syntax error${where}: ${reason}`);
    }
    let value: unknown;
    try {
      value = doc.toJS();
    } catch (e) {
      // An undefined alias, or more aliases than allowed (a "billion laughs" document).
      const start = doc.range?.[0] ?? 0;
      const line = source.slice(0, start).split('\n').length;
      const reason = tooDeepForParser((e as Error).message) ? `nested deeper than ${MAX_OBJECT_DEPTH} levels` : (e as Error).message;
      throw badInput(path, `YAML error in the document starting at line ${line}: ${reason}`);
    }
    const deep = pathTooDeep(value, MAX_OBJECT_DEPTH);
    if (deep !== undefined) throw badInput(deep ? `${path}.${deep.length > 120 ? `${deep.slice(0, 120)}…` : deep}` : path, `nested deeper than ${MAX_OBJECT_DEPTH} levels`);
    if (value === null || value === undefined) continue;
    documents.push({ path, value });
  }
  return documents;
}
