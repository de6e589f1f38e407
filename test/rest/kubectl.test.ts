/**
 * The real kubectl against a real API server (one per file): discovery, apply of the Kubernetes
 * docs' manifest, get with kubectl's columns, label, annotate, scale, replace with a stale
 * resourceVersion (409), explain, delete, RBAC denials; the same write seen through GraphQL and
 * REST at the same revision, with the same actor in the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApi, type TestApi } from '../support/api.js';
import { makeIdentity } from '../support/identities.js';
import { kubectlFor, kubectlPresent, kubectlSkipReason, type Kubectl } from '../support/kubectl.js';
import { NGINX_DEPLOYMENT } from '../support/manifests.js';
import { manifest } from '../support/control-plane.js';

describe.skipIf(!kubectlPresent)(`kubectl against Kubeql ${kubectlSkipReason}`, () => {
  let api: TestApi;
  let kubectl: Kubectl;

  beforeAll(async () => {
    api = await startTestApi();
    kubectl = kubectlFor(api);
  });
  afterAll(async () => {
    kubectl?.close();
    await api?.close();
  });

  it('finds the server, its version and every kind (api-resources)', async () => {
    expect(await kubectl.ok(['version'])).toMatch(/Server Version: v1\.32\.0-kubeql/);
    const resources = await kubectl.ok(['api-resources']);
    const lines = resources.split('\n').map((l) => l.trim().split(/\s+/));
    expect(lines[0]).toEqual(['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
    expect(lines).toContainEqual(['pods', 'po', 'v1', 'true', 'Pod']);
    expect(lines).toContainEqual(['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
    expect(lines).toContainEqual(['nodes', 'no', 'v1', 'false', 'Node']);
    expect(lines).toContainEqual(['clusterroles', 'rbac.authorization.k8s.io/v1', 'false', 'ClusterRole']);
    const workloads = await kubectl.ok(['api-resources', '--categories=all', '-o', 'name']);
    expect(workloads.trim().split('\n').sort()).toEqual(['deployments.apps', 'pods', 'replicasets.apps', 'services']);
  });

  it('applies the Kubernetes docs’ Deployment; GraphQL and REST see the same object at the same revision, written by the same identity', async () => {
    const out = await kubectl.ok(['apply', '-f', '-'], { stdin: NGINX_DEPLOYMENT });
    expect(out.trim()).toBe('deployment.apps/nginx-deployment created');
    const viaRest = JSON.parse(await kubectl.ok(['get', 'deployment', 'nginx-deployment', '-o', 'json']));
    const viaGraphQL = await manifest(api, 'deployment', 'default', 'nginx-deployment');
    expect(viaRest).toEqual(viaGraphQL);
    const event = api.db().prepare(`SELECT revision, actor, verb FROM events WHERE kind = 'Deployment' AND name = 'nginx-deployment'`).get() as any;
    expect(String(event.revision)).toBe(viaRest.metadata.resourceVersion);
    expect(event.actor).toBe('admin');
    expect(event.verb).toBe('create');
    // Applied again unchanged: kubectl finds nothing to patch.
    expect((await kubectl.ok(['apply', '-f', '-'], { stdin: NGINX_DEPLOYMENT })).trim()).toBe('deployment.apps/nginx-deployment unchanged');
  });

  it('prints kubectl’s columns (server-side Table), -o wide, labels and selectors', async () => {
    const table = await kubectl.ok(['get', 'deployments']);
    expect(table).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\n/);
    expect(table).toMatch(/\nnginx-deployment\s+0\/3\s+0\s+0\s+\d+s\n/);
    const wide = await kubectl.ok(['get', 'deploy', '-o', 'wide']);
    expect(wide).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\n/);
    expect(wide).toMatch(/nginx-deployment\s+0\/3\s+0\s+0\s+\d+s\s+nginx\s+nginx:1\.14\.2\s+app=nginx\n/);
    const namespaces = await kubectl.ok(['get', 'ns']);
    expect(namespaces).toMatch(/^NAME\s+STATUS\s+AGE\ndefault\s+Active\s+\d+s\nkube-node-lease\s+Active/);
    expect(await kubectl.ok(['get', 'deploy', '-l', 'app=nginx', '-o', 'name'])).toBe('deployment.apps/nginx-deployment\n');
    expect(await kubectl.ok(['get', 'deploy', '-l', 'app notin (nginx)', '-o', 'name'])).toBe('');
    expect(await kubectl.ok(['get', 'deploy', '-A', '--field-selector', 'metadata.namespace=default', '-o', 'name'])).toBe('deployment.apps/nginx-deployment\n');
    const none = await kubectl.run(['get', 'pods']);
    expect(none.stderr.trim()).toBe('No resources found in default namespace.');
  });

  it('prints the header a real cluster prints for every kind', async () => {
    const headers: Record<string, string> = {
      namespaces: 'NAME STATUS AGE',
      nodes: 'NAME STATUS ROLES AGE VERSION',
      pods: 'NAMESPACE NAME READY STATUS RESTARTS AGE',
      services: 'NAMESPACE NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE',
      endpoints: 'NAMESPACE NAME ENDPOINTS AGE',
      replicasets: 'NAMESPACE NAME DESIRED CURRENT READY AGE',
      deployments: 'NAMESPACE NAME READY UP-TO-DATE AVAILABLE AGE',
      leases: 'NAMESPACE NAME HOLDER AGE',
      resourcequotas: 'NAMESPACE NAME AGE REQUEST LIMIT',
      serviceaccounts: 'NAMESPACE NAME SECRETS AGE',
      roles: 'NAMESPACE NAME CREATED AT',
      rolebindings: 'NAMESPACE NAME ROLE AGE',
      clusterroles: 'NAME CREATED AT',
      clusterrolebindings: 'NAME ROLE AGE',
    };
    // Several documents in one file, as the docs' manifests come.
    await kubectl.ok(['apply', '-f', '-'], {
      stdin: [
          { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } },
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } },
          { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } },
          { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 's' } },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } },
          { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' } },
          { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: '10' } } },
          { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' } },
          { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'role' }, rules: [] },
          { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'role' }, subjects: [] },
      ]
        .map((d) => stringify(d))
        .join('---\n'),
    });
    for (const [resource, header] of Object.entries(headers)) {
      const out = await kubectl.ok(['get', resource, '-A']);
      expect({ resource, header: out.split('\n')[0].split(/\s+/).join(' ') }).toEqual({ resource, header });
    }
    const wide = await kubectl.ok(['get', 'pods', '-o', 'wide', '-A']);
    expect(wide.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
  });

  it('labels, annotates and scales; each change is one event by the same actor', async () => {
    expect((await kubectl.ok(['label', 'deploy', 'nginx-deployment', 'tier=web'])).trim()).toBe('deployment.apps/nginx-deployment labeled');
    expect((await kubectl.ok(['annotate', 'deploy', 'nginx-deployment', 'note=hello'])).trim()).toBe('deployment.apps/nginx-deployment annotated');
    expect((await kubectl.ok(['scale', 'deploy', 'nginx-deployment', '--replicas=5'])).trim()).toBe('deployment.apps/nginx-deployment scaled');
    const object = await manifest(api, 'deployment', 'default', 'nginx-deployment');
    expect(object.metadata.labels).toEqual({ app: 'nginx', tier: 'web' });
    expect(object.metadata.annotations.note).toBe('hello');
    expect(object.spec.replicas).toBe(5);
    const events = api.db().prepare(`SELECT actor, verb FROM events WHERE kind = 'Deployment' ORDER BY revision`).all();
    expect(events).toEqual([
      { actor: 'admin', verb: 'create' },
      { actor: 'admin', verb: 'patch' },
      { actor: 'admin', verb: 'patch' },
      { actor: 'admin', verb: 'scale' },
    ]);
    expect(await kubectl.ok(['get', 'deploy', 'nginx-deployment', '-o', 'jsonpath={.spec.replicas}'])).toBe('5');
  });

  it('applies a changed manifest, patches (strategic by default) and edits, keeping what others set', async () => {
    const changed = NGINX_DEPLOYMENT.replace('replicas: 3', 'replicas: 4').replace('nginx:1.14.2', 'nginx:1.16.1');
    expect((await kubectl.ok(['apply', '-f', '-'], { stdin: changed })).trim()).toBe('deployment.apps/nginx-deployment configured');
    let object = await manifest(api, 'deployment', 'default', 'nginx-deployment');
    expect(object.spec.replicas).toBe(4);
    expect(object.spec.template.spec.containers).toEqual([expect.objectContaining({ name: 'nginx', image: 'nginx:1.16.1', ports: [expect.objectContaining({ containerPort: 80 })] })]);
    expect(object.metadata.labels).toEqual({ app: 'nginx', tier: 'web' }); // set by kubectl label, not in the manifest
    const patch = JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } } });
    expect((await kubectl.ok(['patch', 'deployment', 'nginx-deployment', '-p', patch])).trim()).toBe('deployment.apps/nginx-deployment patched');
    object = await manifest(api, 'deployment', 'default', 'nginx-deployment');
    expect(object.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['sidecar', 'nginx']);
    // The editor: a script that sets replicas to 2 in the file kubectl hands it.
    const editor = join(mkdtempSync(join(tmpdir(), 'kubeql-editor-')), 'edit.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i -e "s/replicas: 4/replicas: 2/" "$1"\n', { mode: 0o755 });
    const edited = await kubectl.ok(['edit', 'deployment', 'nginx-deployment'], { env: { KUBE_EDITOR: editor } });
    expect(edited.trim()).toBe('deployment.apps/nginx-deployment edited');
    expect((await manifest(api, 'deployment', 'default', 'nginx-deployment')).spec.replicas).toBe(2);
  });

  it('a replace with a stale resourceVersion answers 409 Conflict and writes nothing', async () => {
    const current = JSON.parse(await kubectl.ok(['get', 'deploy', 'nginx-deployment', '-o', 'json']));
    const stale = { ...current, metadata: { ...current.metadata, resourceVersion: String(Number(current.metadata.resourceVersion) - 1) }, spec: { ...current.spec, replicas: 1 } };
    const head = api.server.store.head();
    const result = await kubectl.run(['replace', '-f', '-'], { stdin: JSON.stringify(stale) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Error from server \(Conflict\).*the object has been modified; please apply your changes to the latest version and try again/);
    expect(api.server.store.head()).toBe(head);
    const fresh = { ...current, spec: { ...current.spec, replicas: 2 } };
    expect((await kubectl.ok(['replace', '-f', '-'], { stdin: JSON.stringify(fresh) })).trim()).toBe('deployment.apps/nginx-deployment replaced');
  });

  it('explains a kind’s fields from the OpenAPI document', async () => {
    const out = await kubectl.ok(['explain', 'deployment.spec.replicas']);
    expect(out).toMatch(/KIND:\s+Deployment/);
    expect(out).toMatch(/FIELD: replicas <integer>/);
  });

  it('answers what cannot work here (logs, exec) with a Status that says so', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lonely' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }) });
    // A field Kubeql keeps without acting on it comes back as given, with a warning that says so.
    const probed = await kubectl.run(['apply', '-f', '-'], {
      stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'probed' }, spec: { containers: [{ name: 'c', image: 'i', livenessProbe: { httpGet: { path: '/', port: 80 } } }] } }),
    });
    expect(probed.stdout.trim()).toBe('pod/probed created');
    expect(probed.stderr).toContain('Warning: unknown field "spec.containers[0].livenessProbe" (Kubeql keeps it as given but does not act on it)');
    expect(JSON.parse(await kubectl.ok(['get', 'pod', 'probed', '-o', 'json'])).spec.containers[0].livenessProbe).toEqual({ httpGet: { path: '/', port: 80 } });
    const logs = await kubectl.run(['logs', 'lonely']);
    expect(logs.code).toBe(1);
    expect(logs.stderr).toMatch(/Kubeql runs no real containers/);
    const exec = await kubectl.run(['exec', 'lonely', '--', 'ls']);
    expect(exec.code).toBe(1);
    expect(exec.stderr).toMatch(/Error from server \(BadRequest\): Kubeql runs no real containers \(its nodes are simulated\): exec is not available/);
  });

  it('denies through kubectl what RBAC denies, and auth can-i answers the same', async () => {
    const token = await makeIdentity(api, 'viewer', [{ namespace: 'default', rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] }] }]);
    const viewer = kubectlFor(api, token);
    try {
      expect(await viewer.ok(['get', 'deploy', '-o', 'name'])).toBe('deployment.apps/nginx-deployment\n');
      const head = api.server.store.head();
      const denied = await viewer.run(['delete', 'deploy', 'nginx-deployment']);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/Error from server \(Forbidden\): deployments\.apps "nginx-deployment" is forbidden: User "system:serviceaccount:default:viewer" cannot delete resource "deployments" in API group "apps" in the namespace "default"/);
      expect(await viewer.run(['auth', 'can-i', 'list', 'deployments'])).toMatchObject({ code: 0, stdout: 'yes\n' });
      expect(await viewer.run(['auth', 'can-i', 'delete', 'deployments'])).toMatchObject({ code: 1, stdout: 'no\n' });
      expect(await kubectl.run(['auth', 'can-i', 'delete', 'nodes'])).toMatchObject({ code: 0, stdout: 'yes\n' });
      const list = await viewer.ok(['auth', 'can-i', '--list']);
      expect(list).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs\n/);
      expect(list).toMatch(/\ndeployments\.apps\s+\[\]\s+\[\]\s+\[get list\]\n/);
      const pods = await viewer.run(['get', 'pods']);
      expect(pods.stderr).toMatch(/Error from server \(Forbidden\)/);
      expect(api.server.store.head()).toBe(head);
      const none = await kubectlFor(api, 'not-a-token').run(['get', 'pods']);
      expect(none.stderr).toMatch(/You must be logged in to the server/);
    } finally {
      viewer.close();
    }
  });

  it('writes as the identity of the token: the log’s actor is the same whichever door it came through', async () => {
    const token = await makeIdentity(api, 'writer', [{ namespace: 'default', rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'create', 'patch'] }] }]);
    const writer = kubectlFor(api, token);
    try {
      expect((await writer.ok(['run', 'by-writer', '--image=busybox'])).trim()).toBe('pod/by-writer created');
      expect((await writer.ok(['label', 'pod', 'by-writer', 'who=writer'])).trim()).toBe('pod/by-writer labeled');
      const viaGraphQL = await api.gqlAs(token, `mutation { patchPod(namespace: "default", name: "by-writer", patch: { metadata: { labels: { door: "graphql" } } }) { metadata { resourceVersion } } }`);
      expect(viaGraphQL.errors).toBeUndefined();
      const events = api.db().prepare(`SELECT actor, verb FROM events WHERE kind = 'Pod' AND name = 'by-writer' ORDER BY revision`).all();
      expect(events).toEqual([
        { actor: 'system:serviceaccount:default:writer', verb: 'create' },
        { actor: 'system:serviceaccount:default:writer', verb: 'patch' },
        { actor: 'system:serviceaccount:default:writer', verb: 'patch' },
      ]);
      const rest = JSON.parse(await writer.ok(['get', 'pod', 'by-writer', '-o', 'json']));
      expect(rest.metadata.resourceVersion).toBe(viaGraphQL.data.patchPod.metadata.resourceVersion);
    } finally {
      writer.close();
    }
  });

  it('deletes, and the object is gone for both doors', async () => {
    expect((await kubectl.ok(['delete', 'deploy', 'nginx-deployment'])).trim()).toBe('deployment.apps "nginx-deployment" deleted');
    const gone = await kubectl.run(['get', 'deploy', 'nginx-deployment']);
    expect(gone.stderr.trim()).toBe('Error from server (NotFound): deployments.apps "nginx-deployment" not found');
    expect(await manifest(api, 'deployment', 'default', 'nginx-deployment')).toBeNull();
  });
});
