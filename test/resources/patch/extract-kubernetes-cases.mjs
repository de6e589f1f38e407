// Turns the test tables of Kubernetes' apimachinery pkg/util/strategicpatch/patch_test.go into
// kubernetes-strategicpatch-cases.json (data only; the vitest file runs them):
//   node test/resources/patch/extract-kubernetes-cases.mjs PATH/TO/patch_test.go COMMIT OUTPUT.json
import { readFileSync, writeFileSync } from 'node:fs';
import YAML from 'yaml';
const [file, commit, output] = process.argv.slice(2);
const src = readFileSync(file, 'utf8');
const y = (text) => (text === undefined ? undefined : YAML.parse(text, { version: '1.1' }) ?? null);

function backtickVar(name) {
  const start = src.indexOf(`var ${name} = []byte(\``);
  const from = src.indexOf('`', start) + 1;
  return src.slice(from, src.indexOf('`', from));
}
function block(name) {
  const start = src.indexOf(`var ${name} = []StrategicMergePatchRawTestCase{`);
  const end = src.indexOf('\n}\n', start);
  return src.slice(start, end);
}
function rawCases(name) {
  const text = block(name);
  const parts = text.split(/\n\t\{\n/).slice(1);
  return parts.map((p) => {
    const description = JSON.parse(p.match(/Description:\s*("(?:[^"\\]|\\.)*")/)[1]);
    const field = (f) => {
      const m = p.match(new RegExp(`\\b${f}:\\s*\\[\\]byte\\(\`([\\s\\S]*?)\`\\)`));
      return m ? y(m[1]) : undefined;
    };
    const err = p.match(/ExpectedError:\s*("(?:[^"\\]|\\.)*")/);
    return {
      description,
      original: field('Original'), twoWay: field('TwoWay'), modified: field('Modified'), current: field('Current'),
      threeWay: field('ThreeWay'), result: field('Result'), twoWayResult: field('TwoWayResult'),
      expectedError: err ? JSON.parse(err[1]) : undefined,
    };
  });
}
function yamlCases(name) {
  return y(backtickVar(name)).testCases.map((c) => ({
    description: c.description, original: c.original, twoWay: c.twoWay, modified: c.modified, current: c.current,
    threeWay: c.threeWay, result: c.result, twoWayResult: c.twoWayResult,
  }));
}
function unknownFieldCases() {
  const start = src.indexOf('func TestUnknownField');
  const text = src.slice(start, src.indexOf('mergeItemOpenapiSchema', start));
  const out = [];
  for (const m of text.matchAll(/\n\t\t"([^"]+)": \{([\s\S]*?)\n\t\t\},/g)) {
    const body = m[2];
    const f = (k) => { const r = body.match(new RegExp(`\\b${k}:\\s*\`([^\`]*)\``)); return r ? JSON.parse(r[1]) : undefined; };
    const e = (k) => { const r = body.match(new RegExp(`\\b${k}:\\s*\`([^\`]*)\``)); return r ? r[1] : undefined; };
    out.push({ description: m[1], original: f('Original'), current: f('Current'), modified: f('Modified'),
      twoWay: f('ExpectedTwoWay'), twoWayResult: f('ExpectedTwoWayResult'), threeWay: f('ExpectedThreeWay'), result: f('ExpectedThreeWayResult'),
      expectedError: e('ExpectedTwoWayErr') });
  }
  return out;
}
const fixture = {
  source: `kubernetes/apimachinery ${commit}: pkg/util/strategicpatch/patch_test.go (Copyright The Kubernetes Authors, Apache License 2.0)`,
  schema: 'MergeItem of patch_test.go: mergingList (merge, key name), nonMergingList, mergingIntList (merge), nonMergingIntList, mergeItemPtr (merge, key name), simpleMap, replacingItem (replace), retainKeysMap (retainKeys, of RetainKeysMergeItem), retainKeysMergingList (merge,retainKeys, key name)',
  tables: {
    customStrategicMergePatchTestCaseData: { goTest: 'TestCustomStrategicMergePatch', sorted: true, cases: yamlCases('customStrategicMergePatchTestCaseData') },
    customStrategicMergePatchRawTestCases: { goTest: 'TestCustomStrategicMergePatch', sorted: false, cases: rawCases('customStrategicMergePatchRawTestCases') },
    createStrategicMergePatchTestCaseData: { goTest: 'TestStrategicMergePatch', sorted: true, cases: yamlCases('createStrategicMergePatchTestCaseData') },
    strategicMergePatchRawTestCases: { goTest: 'TestStrategicMergePatch', sorted: false, cases: rawCases('strategicMergePatchRawTestCases') },
    replaceRawExtensionPatchTestCases: { goTest: 'TestReplaceWithRawExtension', sorted: false, cases: rawCases('replaceRawExtensionPatchTestCases') },
    unknownFieldTestCases: { goTest: 'TestUnknownField', sorted: false, cases: unknownFieldCases() },
  },
};
for (const [k, t] of Object.entries(fixture.tables)) console.error(k, t.cases.length);
writeFileSync(output, JSON.stringify(fixture, null, 1) + '\n');
