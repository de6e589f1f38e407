/**
 * Request bodies in Kubernetes' protobuf encoding (application/vnd.kubernetes.protobuf), which
 * kubectl's typed clients send (`kubectl create deployment|namespace|service|...`, `auth can-i`,
 * `drain`'s evictions): the `k8s\0` envelope (runtime.Unknown: TypeMeta and the raw message), then
 * the message decoded to JSON by a table of the field numbers of the kinds Kubeql serves (the
 * numbers of Kubernetes' API, k8s.io/api). A field the table does not know is skipped; a kind it
 * does not know answers 415, saying to send JSON. Every length is checked against the buffer.
 */
import { RestError, badRequest } from './status.js';

type FieldType = 'string' | 'int' | 'bool' | 'map' | 'time' | 'intstr' | 'quantity' | 'quantityMap' | { msg: string };
/** field number → [JSON name, type, repeated?, keep zero (a pointer field in Go)?] */
type Table = Record<number, [string, FieldType, boolean?, boolean?]>;

const S = 'string' as const;
const I = 'int' as const;
const B = 'bool' as const;
const m = (msg: string) => ({ msg });

const TYPES: Record<string, Table> = {
  Unknown: { 1: ['typeMeta', m('TypeMeta')], 2: ['raw', 'string'] },
  TypeMeta: { 1: ['apiVersion', S], 2: ['kind', S] },
  ObjectMeta: {
    1: ['name', S],
    2: ['generateName', S],
    3: ['namespace', S],
    5: ['uid', S],
    6: ['resourceVersion', S],
    11: ['labels', 'map'],
    12: ['annotations', 'map'],
    13: ['ownerReferences', m('OwnerReference'), true],
    14: ['finalizers', S, true],
  },
  OwnerReference: { 1: ['kind', S], 3: ['name', S], 4: ['uid', S], 5: ['apiVersion', S], 6: ['controller', B, false, true], 7: ['blockOwnerDeletion', B, false, true] },
  LabelSelector: { 1: ['matchLabels', 'map'], 2: ['matchExpressions', m('LabelSelectorRequirement'), true] },
  LabelSelectorRequirement: { 1: ['key', S], 2: ['operator', S], 3: ['values', S, true] },
  Namespace: { 1: ['metadata', m('ObjectMeta')], 2: ['spec', m('NamespaceSpec')] },
  NamespaceSpec: { 1: ['finalizers', S, true] },
  Deployment: { 1: ['metadata', m('ObjectMeta')], 2: ['spec', m('DeploymentSpec')] },
  DeploymentSpec: {
    1: ['replicas', I, false, true],
    2: ['selector', m('LabelSelector')],
    3: ['template', m('PodTemplateSpec')],
    4: ['strategy', m('DeploymentStrategy')],
    5: ['minReadySeconds', I],
    6: ['revisionHistoryLimit', I, false, true],
    7: ['paused', B],
    9: ['progressDeadlineSeconds', I, false, true],
  },
  DeploymentStrategy: { 1: ['type', S], 2: ['rollingUpdate', m('RollingUpdateDeployment')] },
  RollingUpdateDeployment: { 1: ['maxUnavailable', 'intstr'], 2: ['maxSurge', 'intstr'] },
  ReplicaSet: { 1: ['metadata', m('ObjectMeta')], 2: ['spec', m('ReplicaSetSpec')] },
  ReplicaSetSpec: { 1: ['replicas', I, false, true], 2: ['selector', m('LabelSelector')], 3: ['template', m('PodTemplateSpec')], 4: ['minReadySeconds', I] },
  PodTemplateSpec: { 1: ['metadata', m('ObjectMeta')], 2: ['spec', m('PodSpec')] },
  Pod: { 1: ['metadata', m('ObjectMeta')], 2: ['spec', m('PodSpec')] },
  PodSpec: {
    2: ['containers', m('Container'), true],
    3: ['restartPolicy', S],
    4: ['terminationGracePeriodSeconds', I, false, true],
    5: ['activeDeadlineSeconds', I, false, true],
    6: ['dnsPolicy', S],
    7: ['nodeSelector', 'map'],
    8: ['serviceAccountName', S],
    10: ['nodeName', S],
    11: ['hostNetwork', B],
    16: ['hostname', S],
    17: ['subdomain', S],
    19: ['schedulerName', S],
    20: ['initContainers', m('Container'), true],
    24: ['priorityClassName', S],
  },
  Container: {
    1: ['name', S],
    2: ['image', S],
    3: ['command', S, true],
    4: ['args', S, true],
    5: ['workingDir', S],
    6: ['ports', m('ContainerPort'), true],
    7: ['env', m('EnvVar'), true],
    8: ['resources', m('ResourceRequirements')],
    13: ['terminationMessagePath', S],
    14: ['imagePullPolicy', S],
    16: ['stdin', B],
    17: ['stdinOnce', B],
    18: ['tty', B],
    20: ['terminationMessagePolicy', S],
  },
  ContainerPort: { 1: ['name', S], 2: ['hostPort', I], 3: ['containerPort', I], 4: ['protocol', S], 5: ['hostIP', S] },
  EnvVar: { 1: ['name', S], 2: ['value', S] },
  ResourceRequirements: { 1: ['limits', 'quantityMap'], 2: ['requests', 'quantityMap'] },
  Service: { 1: ['metadata', m('ObjectMeta')], 2: ['spec', m('ServiceSpec')] },
  ServiceSpec: {
    1: ['ports', m('ServicePort'), true],
    2: ['selector', 'map'],
    3: ['clusterIP', S],
    4: ['type', S],
    5: ['externalIPs', S, true],
    7: ['sessionAffinity', S],
    10: ['externalName', S],
    18: ['clusterIPs', S, true],
  },
  ServicePort: { 1: ['name', S], 2: ['protocol', S], 3: ['port', I], 4: ['targetPort', 'intstr'], 5: ['nodePort', I] },
  ServiceAccount: { 1: ['metadata', m('ObjectMeta')], 4: ['automountServiceAccountToken', B, false, true] },
  ResourceQuota: { 1: ['metadata', m('ObjectMeta')], 2: ['spec', m('ResourceQuotaSpec')] },
  ResourceQuotaSpec: { 1: ['hard', 'quantityMap'], 2: ['scopes', S, true] },
  Role: { 1: ['metadata', m('ObjectMeta')], 2: ['rules', m('PolicyRule'), true] },
  ClusterRole: { 1: ['metadata', m('ObjectMeta')], 2: ['rules', m('PolicyRule'), true] },
  PolicyRule: { 1: ['verbs', S, true], 2: ['apiGroups', S, true], 3: ['resources', S, true], 4: ['resourceNames', S, true], 5: ['nonResourceURLs', S, true] },
  RoleBinding: { 1: ['metadata', m('ObjectMeta')], 2: ['subjects', m('Subject'), true], 3: ['roleRef', m('RoleRef')] },
  ClusterRoleBinding: { 1: ['metadata', m('ObjectMeta')], 2: ['subjects', m('Subject'), true], 3: ['roleRef', m('RoleRef')] },
  Subject: { 1: ['kind', S], 2: ['apiGroup', S], 3: ['name', S], 4: ['namespace', S] },
  RoleRef: { 1: ['apiGroup', S], 2: ['kind', S], 3: ['name', S] },
  Eviction: { 1: ['metadata', m('ObjectMeta')], 2: ['deleteOptions', m('DeleteOptions')] },
  DeleteOptions: { 1: ['gracePeriodSeconds', I, false, true], 2: ['preconditions', m('Preconditions')], 4: ['propagationPolicy', S], 5: ['dryRun', S, true] },
  Preconditions: { 1: ['uid', S], 2: ['resourceVersion', S] },
  SelfSubjectAccessReview: { 1: ['metadata', m('ObjectMeta')], 2: ['spec', m('SelfSubjectAccessReviewSpec')] },
  SelfSubjectAccessReviewSpec: { 1: ['resourceAttributes', m('ResourceAttributes')], 2: ['nonResourceAttributes', m('NonResourceAttributes')] },
  ResourceAttributes: { 1: ['namespace', S], 2: ['verb', S], 3: ['group', S], 4: ['version', S], 5: ['resource', S], 6: ['subresource', S], 7: ['name', S] },
  NonResourceAttributes: { 1: ['path', S], 2: ['verb', S] },
  SelfSubjectRulesReview: { 1: ['metadata', m('ObjectMeta')], 2: ['spec', m('SelfSubjectRulesReviewSpec')] },
  SelfSubjectRulesReviewSpec: { 1: ['namespace', S] },
  Time: { 1: ['seconds', I], 2: ['nanos', I] },
  IntOrString: { 1: ['type', I], 2: ['intVal', I], 3: ['strVal', S] },
  Quantity: { 1: ['string', S] },
};

const MAX_DEPTH = 40;
const malformed = () => badRequest('the request body is not a valid Kubernetes protobuf message');

class Reader {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly end = buf.length,
  ) {}
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end || shift > 63) throw malformed();
      const byte = this.buf[this.pos++];
      // Exact up to 2^53; beyond it the value is no count or size this API takes.
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
  }
  bytes(): Buffer {
    const length = this.varint();
    if (length > this.end - this.pos) throw malformed();
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 2) this.bytes();
    else if (wireType === 1 || wireType === 5) {
      const n = wireType === 1 ? 8 : 4;
      if (n > this.end - this.pos) throw malformed();
      this.pos += n;
    } else throw malformed();
  }
}

/** A 64-bit varint as a signed number (two's complement for negatives). */
const signed = (n: number) => (n >= 2 ** 63 ? n - 2 ** 64 : n);

function decode(buf: Buffer, type: string, depth: number): Record<string, unknown> {
  if (depth > MAX_DEPTH) throw malformed();
  const table = TYPES[type];
  const out: Record<string, unknown> = {};
  const r = new Reader(buf);
  while (r.pos < r.end) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    const spec = table[field];
    if (!spec) {
      r.skip(wire);
      continue;
    }
    const [name, ft, repeated, keepZero] = spec;
    let value: unknown;
    if (ft === 'int' || ft === 'bool') {
      if (wire !== 0) throw malformed();
      const n = signed(r.varint());
      value = ft === 'bool' ? n !== 0 : n;
      if (!keepZero && !repeated && (value === 0 || value === false)) continue;
    } else {
      if (wire !== 2) throw malformed();
      const bytes = r.bytes();
      if (ft === 'string') {
        value = bytes.toString('utf8');
        if (value === '' && !repeated) continue;
      } else if (ft === 'map' || ft === 'quantityMap') {
        const entry = decode(bytes, ft === 'map' ? 'StringEntry' : 'QuantityEntry', depth + 1);
        const map = (out[name] ??= {}) as Record<string, unknown>;
        // An own property whatever the key (a key "__proto__" must not set the map's prototype).
        Object.defineProperty(map, String(entry.key ?? ''), { value: entry.value ?? '', enumerable: true, writable: true, configurable: true });
        continue;
      } else if (ft === 'time') {
        const t = decode(bytes, 'Time', depth + 1);
        value = new Date(Number(t.seconds ?? 0) * 1000).toISOString().replace('.000Z', 'Z');
      } else if (ft === 'intstr') {
        const v = decode(bytes, 'IntOrString', depth + 1);
        value = v.type === 1 ? (v.strVal ?? '') : (v.intVal ?? 0);
      } else if (ft === 'quantity') {
        value = decode(bytes, 'Quantity', depth + 1).string ?? '0';
      } else {
        value = decode(bytes, ft.msg, depth + 1);
      }
    }
    if (repeated) ((out[name] ??= []) as unknown[]).push(value);
    else out[name] = value;
  }
  return out;
}

TYPES.StringEntry = { 1: ['key', S], 2: ['value', S] };
TYPES.QuantityEntry = { 1: ['key', S], 2: ['value', 'quantity'] };

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** A protobuf request body as the JSON object it encodes (apiVersion and kind from its envelope). */
export function decodeProtobufBody(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\u0000') throw malformed();
  const unknown = new Reader(body.subarray(4));
  let typeMeta: Record<string, unknown> = {};
  let raw: Buffer | undefined;
  while (unknown.pos < unknown.end) {
    const key = unknown.varint();
    if (key === (1 << 3) + 2) typeMeta = decode(unknown.bytes(), 'TypeMeta', 1);
    else if (key === (2 << 3) + 2) raw = unknown.bytes();
    else unknown.skip(key % 8);
  }
  const kind = typeof typeMeta.kind === 'string' ? typeMeta.kind : '';
  if (!raw || !kind) throw malformed();
  if (!TYPES[kind] || !TYPES[kind][1] || TYPES[kind][1][0] !== 'metadata')
    throw new RestError(415, 'UnsupportedMediaType', `Kubeql reads ${kind} only as JSON or YAML, not protobuf: send it as JSON (kubectl create -f or apply -f)`);
  return { apiVersion: typeMeta.apiVersion, kind, ...decode(raw, kind, 1) };
}
