/**
 * Manifests from `-f`: files, directories (their .yaml, .yml and .json files in name order, `-R`
 * for subdirectories) or `-` for stdin; multi-document YAML; `kind: List` expanded into its items.
 * Each document remembers its file, number and line, so an error the API reports for
 * `manifests[3].spec.replicas` can be told as "shop.yaml, document 2 (line 14): spec.replicas".
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { yaml } from './yaml.js';
import { CliError } from './cli-error.js';

export interface ManifestDoc {
  file: string;
  /** 1-based, counting the file's non-empty documents. */
  document: number;
  /** 1-based line where the document starts. */
  line: number;
  /** The index in a `kind: List`'s items. */
  item?: number;
  value: Record<string, unknown>;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

function filesIn(dir: string, recursive: boolean): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return recursive ? filesIn(path, true) : [];
      return MANIFEST_FILE.test(entry.name) ? [path] : [];
    });
}

/** The files `-f` names, in order; a directory expands to its manifest files. */
export function expandSources(sources: string[], recursive: boolean): string[] {
  return sources.flatMap((source) => {
    if (source === '-') return ['-'];
    let isDir: boolean;
    try {
      isDir = statSync(source).isDirectory();
    } catch {
      throw new CliError(`the path "${source}" does not exist`);
    }
    if (!isDir) return [source];
    const files = filesIn(source, recursive);
    if (files.length === 0) throw new CliError(`the directory "${source}" holds no manifest files (.yaml, .yml, .json)${recursive ? '' : '; -R reads its subdirectories'}`);
    return files;
  });
}

const lineAt = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

export function parseManifestText(text: string, file: string): ManifestDoc[] {
  const docs: ManifestDoc[] = [];
  let number = 0;
  for (const doc of yaml().parseAllDocuments(text)) {
    const start = doc.contents?.range?.[0] ?? doc.range?.[0] ?? 0;
    const error = doc.errors[0];
    if (error) {
      const at = error.linePos?.[0];
      const reason = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new CliError(`${file}: YAML syntax error${at ? ` at line ${at.line}, column ${at.col}` : ''}: ${reason}`);
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw new CliError(`${file}, document ${number + 1} (line ${lineAt(text, start)}): ${(e as Error).message}`);
    }
    if (value === null || value === undefined) continue;
    number++;
    const origin = { file, document: number, line: lineAt(text, start) };
    if (typeof value !== 'object' || Array.isArray(value)) throw new CliError(`${originText(origin)}: must be an object (a Kubernetes manifest with apiVersion, kind and metadata)`);
    const object = value as Record<string, unknown>;
    if (object.kind === 'List' && Array.isArray(object.items)) {
      object.items.forEach((item, i) => {
        if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new CliError(`${originText({ ...origin, item: i })}: must be an object (a Kubernetes manifest)`);
        docs.push({ ...origin, item: i, value: item as Record<string, unknown> });
      });
    } else docs.push({ ...origin, value: object });
  }
  return docs;
}

export async function readManifests(sources: string[], recursive: boolean, stdin: NodeJS.ReadableStream): Promise<ManifestDoc[]> {
  if (sources.length === 0) throw new CliError('must give -f <file|directory|-> (the manifests to use)');
  const docs: ManifestDoc[] = [];
  for (const file of expandSources(sources, recursive)) {
    const text = file === '-' ? await readStdin(stdin) : readFileSync(file, 'utf8');
    docs.push(...parseManifestText(text, file === '-' ? '<stdin>' : file));
  }
  if (docs.length === 0) throw new CliError(`no objects passed: ${sources.join(', ')} holds no manifests`);
  return docs;
}

/** `shop.yaml, document 2 (line 14)`; `list.yaml, document 1 (line 1), items[3]`. */
export function originText(doc: Pick<ManifestDoc, 'file' | 'document' | 'line' | 'item'>): string {
  return `${doc.file}, document ${doc.document} (line ${doc.line})${doc.item !== undefined ? `, items[${doc.item}]` : ''}`;
}
