/**
 * `kq edit <kind>/<name>`, as kubectl edit: the object as YAML in $KUBE_EDITOR or $EDITOR (else vi),
 * then written whole, conditional on the resourceVersion it was read at. An unchanged file cancels;
 * a file that does not parse, or a write the server refuses, is reported with the file kept.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CliError } from '../cli-error.js';
import { objectRef } from '../kinds.js';
import { notFound } from '../not-found.js';
import { getObject } from '../object-api.js';
import { toYaml } from '../output/formats.js';
import { replaceObject } from '../replace-object.js';
import { parseOneObject } from '../resource-args.js';
import type { Verb } from '../verb.js';

const HEADER = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`;

export const editVerb: Verb = {
  name: 'edit',
  summary: 'Edit an object in $EDITOR and write it back',
  usage: 'edit <kind>/<name> | <kind> <name>',
  flags: {},
  async run(ctx) {
    const { kind, name } = parseOneObject(ctx.args, 'edit');
    const client = ctx.client();
    const object = await getObject(client, kind, ctx.namespace, name);
    if (!object) throw notFound(kind, name);
    const editor = process.env.KUBE_EDITOR || process.env.EDITOR || 'vi';
    const dir = mkdtempSync(join(tmpdir(), 'kq-edit-'));
    const file = join(dir, `${kind.resource}-${name}.yaml`);
    const original = HEADER + toYaml(object);
    writeFileSync(file, original, { mode: 0o600 });
    let keep = false;
    try {
      // The editor command may carry arguments (EDITOR="code --wait"), as kubectl allows.
      const result = spawnSync(`${editor} "$KQ_EDIT_FILE"`, { shell: true, stdio: 'inherit', env: { ...process.env, KQ_EDIT_FILE: file } });
      if (result.error) throw new CliError(`could not run the editor "${editor}": ${result.error.message}`);
      if (result.status !== 0) throw new CliError(`the editor "${editor}" exited with ${result.status ?? result.signal}; nothing was changed`);
      const edited = readFileSync(file, 'utf8');
      const body = edited.split('\n').filter((l) => !l.startsWith('#')).join('\n');
      if (edited === original) {
        ctx.stdout.write('Edit cancelled, no changes made.\n');
        return;
      }
      if (body.trim() === '') {
        ctx.stdout.write('Edit cancelled, saved file was empty.\n');
        return;
      }
      let value: unknown;
      try {
        value = parse(body);
      } catch (e) {
        keep = true;
        throw new CliError(`the edited file is not valid YAML (${(e as Error).message.split('\n')[0]}); your changes are kept in ${file}`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        keep = true;
        throw new CliError(`the edited file must hold one object; your changes are kept in ${file}`);
      }
      const edit = value as Record<string, any>;
      if (edit.kind !== object.kind || edit.metadata?.name !== name || (edit.metadata?.namespace ?? undefined) !== (object.metadata.namespace ?? undefined)) {
        keep = true;
        throw new CliError(`the kind, name and namespace cannot change in kq edit; your changes are kept in ${file}`);
      }
      // Conditional on the version read: another writer in between gets a CONFLICT, not lost.
      edit.metadata.resourceVersion ??= object.metadata.resourceVersion;
      try {
        await replaceObject(client, kind, edit);
      } catch (e) {
        keep = true;
        throw new CliError(`${objectRef(kind, name)}: ${(e as Error).message}; your changes are kept in ${file}`);
      }
      ctx.stdout.write(`${objectRef(kind, name)} edited\n`);
    } finally {
      if (!keep) rmSync(dir, { recursive: true, force: true });
    }
  },
};
