/** Endpoints: the addresses behind a Service (v1); its body is `subsets`, not `spec`. Written by the endpoints controller. */
import ipaddr from 'ipaddr.js';
import type { KindDef } from '../kind.js';
import { arr, int, kindShape, obj, req, str, type Infer } from '../shape.js';
import { ipErrors } from '../allocation/ipv4.js';
import { childPath, type FieldError } from '../validation/field-error.js';
import { qualifiedNameErrors } from '../validation/labels.js';
import { dns1123LabelErrors, dns1123SubdomainErrors } from '../validation/names.js';
import { ObjectReference } from './object-reference.js';

const EndpointAddress = obj('EndpointAddress', {
  ip: req(str()),
  hostname: str(),
  nodeName: str(),
  targetRef: ObjectReference,
});

const EndpointPort = obj('EndpointPort', {
  name: str(),
  port: req(int(1, 65535)),
  protocol: str(['TCP', 'UDP', 'SCTP']),
  appProtocol: str(),
});

const EndpointSubset = obj('EndpointSubset', {
  addresses: arr(EndpointAddress),
  notReadyAddresses: arr(EndpointAddress),
  ports: arr(EndpointPort),
});

interface AddressLike {
  ip?: string;
  hostname?: string;
  nodeName?: string;
}

interface PortLike {
  name?: string;
  protocol?: string;
  appProtocol?: string;
}

interface SubsetLike {
  addresses?: AddressLike[];
  notReadyAddresses?: AddressLike[];
  ports?: PortLike[];
}

const invalid = (value: unknown, message: string) => `Invalid value: ${JSON.stringify(value)}: ${message}`;
const LINK_LOCAL_MULTICAST = ipaddr.IPv4.parseCIDR('224.0.0.0/24');

/** IsValidIPForLegacyField (IPv4 here) and ValidateNonSpecialIP: an endpoint may not be 0.0.0.0, loopback or link-local. */
function endpointIpErrors(ip: string): string[] {
  const malformed = ipErrors(ip);
  if (malformed.length) return malformed;
  const addr = ipaddr.IPv4.parse(ip);
  const range = addr.range();
  if (range === 'unspecified') return [invalid(ip, `may not be unspecified (${ip})`)];
  if (range === 'loopback') return [invalid(ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)')];
  if (range === 'linkLocal') return [invalid(ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)')];
  if (addr.match(LINK_LOCAL_MULTICAST)) return [invalid(ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)')];
  return [];
}

function validateAddress(a: AddressLike, path: string, errors: FieldError[]): void {
  if (typeof a !== 'object' || a === null) return;
  if (typeof a.ip === 'string') for (const m of endpointIpErrors(a.ip)) errors.push({ path: childPath(path, 'ip'), message: m });
  if (typeof a.hostname === 'string' && a.hostname !== '')
    for (const m of dns1123LabelErrors(a.hostname)) errors.push({ path: childPath(path, 'hostname'), message: invalid(a.hostname, m) });
  if (typeof a.nodeName === 'string')
    for (const m of dns1123SubdomainErrors(a.nodeName)) errors.push({ path: childPath(path, 'nodeName'), message: invalid(a.nodeName, m) });
}

function validatePort(p: PortLike, requireName: boolean, path: string, errors: FieldError[]): void {
  if (typeof p !== 'object' || p === null) return;
  if (requireName && !p.name) errors.push({ path: childPath(path, 'name'), message: 'Required value' });
  else if (typeof p.name === 'string' && p.name !== '')
    for (const m of dns1123LabelErrors(p.name)) errors.push({ path: childPath(path, 'name'), message: invalid(p.name, m) });
  if (typeof p.appProtocol === 'string')
    for (const m of qualifiedNameErrors(p.appProtocol)) errors.push({ path: childPath(path, 'appProtocol'), message: invalid(p.appProtocol, m) });
}

/** validateEndpointSubsets (k8s.io/kubernetes pkg/apis/core/validation). */
function validateSubsets(subsets: SubsetLike[] | undefined): FieldError[] {
  const errors: FieldError[] = [];
  (subsets ?? []).forEach((ss, i) => {
    const path = childPath('subsets', i);
    if (typeof ss !== 'object' || ss === null) return;
    if ((ss.addresses?.length ?? 0) === 0 && (ss.notReadyAddresses?.length ?? 0) === 0)
      errors.push({ path, message: 'Required value: must specify `addresses` or `notReadyAddresses`' });
    for (const field of ['addresses', 'notReadyAddresses'] as const)
      (ss[field] ?? []).forEach((a, j) => validateAddress(a, childPath(childPath(path, field), j), errors));
    const ports = ss.ports ?? [];
    ports.forEach((p, j) => validatePort(p, ports.length > 1, childPath(childPath(path, 'ports'), j), errors));
  });
  return errors;
}

export const EndpointsShape = kindShape('Endpoints', 'v1', { subsets: { shape: arr(EndpointSubset) } });
/** A Endpoints, as the API stores and returns it. */
export type Endpoints = Infer<typeof EndpointsShape>;

export const endpoints: KindDef<Endpoints> = {
  ...EndpointsShape,
  resource: 'endpoints',
  getField: 'endpoints',
  listField: 'endpointsList',
  shortNames: ['ep'],
  namespaced: true,
  nameErrors: dns1123SubdomainErrors,
  fieldSelectors: [],
  applyDefaults(o) {
    for (const ss of (o.subsets as SubsetLike[] | undefined) ?? [])
      for (const p of ss?.ports ?? []) if (typeof p === 'object' && p !== null) p.protocol ??= 'TCP';
  },
  validate: (o) => validateSubsets(o.subsets as SubsetLike[] | undefined),
};
