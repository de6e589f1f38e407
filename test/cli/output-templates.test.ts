/** kq get -o jsonpath=…, -o custom-columns=…, -L and --show-labels, as kubectl prints them, against a real server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTemplate, renderTemplate } from '../../server/cli/output/jsonpath.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { kqFor } from '../support/kq.js';

let api: TestApi;
let kq: ReturnType<typeof kqFor>;

const pod = (name: string, labels: Record<string, string>, images: string[]) =>
  api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, {
    i: { metadata: { name, labels }, spec: { containers: images.map((image, n) => ({ name: `c${n}`, image })) } },
  });

beforeAll(async () => {
  api = await startTestApi();
  kq = kqFor({ url: api.server.url, token: api.token });
  await pod('a', { zeta: '1', app: 'web', 'app.kubernetes.io/tier': 'front' }, ['nginx:1.25', 'envoy:1']);
  await pod('b', { app: 'db' }, ['postgres:16']);
});
afterAll(() => api.close());

describe('JSONPath templates (kubectl subset)', () => {
  const doc = { items: [{ metadata: { name: 'a', labels: { app: 'web' } }, status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Other', status: 'False' }] }, n: [1, 2, 3] }, { metadata: { name: 'b' }, n: [] }] };
  const t = (template: string) => renderTemplate(parseTemplate(template), doc);

  it('fields, [*], indexes, slices, recursion, filters, range and literals', () => {
    expect(t('{.items[*].metadata.name}')).toBe('a b');
    expect(t('{.items[0].metadata.name}')).toBe('a');
    expect(t('{.items[-1].metadata.name}')).toBe('b');
    expect(t('{.items[0].n[0:2]}')).toBe('1 2');
    expect(t('{..name}')).toBe('a b');
    expect(t(`{.items[0].status.conditions[?(@.type=="Ready")].status}`)).toBe('True');
    expect(t(`{.items[?(@.metadata.labels)].metadata.name}`)).toBe('a');
    expect(t(`{range .items[*]}{.metadata.name}{"\\t"}{.n}{"\\n"}{end}`)).toBe('a\t[1,2,3]\nb\t[]\n');
    expect(t(`{.items[0].metadata.labels}`)).toBe('{"app":"web"}');
    expect(t(`name: {.items[0].metadata['name']}`)).toBe('name: a');
    expect(t('{.items[0].missing}')).toBe('');
  });

  it('refuses what it cannot read, saying where', () => {
    expect(() => parseTemplate('{.items[*')).toThrow(/unclosed/);
    expect(() => parseTemplate('{range .items[*]}{.x}')).toThrow(/unclosed range/);
    expect(() => parseTemplate('{end}')).toThrow(/nothing to end/);
    expect(() => parseTemplate('{.a[?(@.x ~ 1)]}')).toThrow(/unsupported filter/);
    expect(() => parseTemplate('{'.repeat(5000))).toThrow(/longer than/);
  });
});

describe('kq get output', () => {
  it('-o jsonpath prints the template against the List (or the one object named), with no newline added', async () => {
    const list = await kq.run(['get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}']);
    expect(list.stderr).toBe('');
    expect(list.stdout).toBe('a b');
    const one = await kq.run(['get', 'pod', 'a', '-o=jsonpath={.spec.containers[*].image}']);
    expect(one.stdout).toBe('nginx:1.25 envoy:1');
    const range = await kq.run(['get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.metadata.labels.app}{"\\n"}{end}']);
    expect(range.stdout).toBe('a\tweb\nb\tdb\n');
    const bad = await kq.run(['get', 'pods', '-o', 'jsonpath={.items[']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error parsing jsonpath');
  });

  it('-o custom-columns prints a table of the paths, several values joined by commas, <none> where absent', async () => {
    const res = await kq.run(['get', 'pods', '-o', 'custom-columns=NAME:.metadata.name,IMAGES:.spec.containers[*].image,NODE:.spec.nodeName']);
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe(
      'NAME   IMAGES               NODE\n' +
      'a      nginx:1.25,envoy:1   <none>\n' +
      'b      postgres:16          <none>\n',
    );
    const bad = await kq.run(['get', 'pods', '-o', 'custom-columns=NAME']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('HEADER:PATH');
  });

  it('-L adds a column per label key (headed by its last segment), --show-labels lists labels sorted by key', async () => {
    const res = await kq.run(['get', 'pods', '-L', 'app,app.kubernetes.io/tier', '--show-labels']);
    expect(res.stderr).toBe('');
    const [header, a, b] = res.stdout.trimEnd().split('\n');
    expect(header.split(/\s{3,}/)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'APP', 'TIER', 'LABELS']);
    expect(a).toMatch(/\s{3}web\s{3,}front\s{3,}app=web,app\.kubernetes\.io\/tier=front,zeta=1$/);
    expect(b).toMatch(/\s{3}db\s{3,}app=db$/);
  });
});
