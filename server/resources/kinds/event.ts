/**
 * Event (core/v1): a report that something happened to an object (involvedObject), by a component
 * (source), with repeats aggregated into count/firstTimestamp/lastTimestamp by the recorder that
 * writes it (server/client/event-recorder.ts). Events are short-lived: the API server deletes them
 * an hour after their last occurrence (server/api/event-expiry.ts), and the audit log leaves them
 * out unless asked for kind Event.
 */
import type { KindDef } from '../kind.js';
import { dateTime, int, kindShape, obj, req, str, type Infer } from '../shape.js';
import type { FieldError } from '../validation/field-error.js';
import { byteLength, dns1123SubdomainErrors } from '../validation/names.js';
import { ObjectReference } from './object-reference.js';

/** events.k8s.io's note limit; the recorder truncates longer messages. */
export const EVENT_MESSAGE_LIMIT = 1024;
export const EVENT_TYPES = ['Normal', 'Warning'] as const;

export const EventShape = kindShape('Event', 'v1', {
  involvedObject: req(ObjectReference),
  reason: str(),
  message: str(),
  source: obj('EventSource', { component: str(), host: str() }),
  firstTimestamp: dateTime,
  lastTimestamp: dateTime,
  count: int(1),
  type: str(EVENT_TYPES),
  eventTime: str(),
  series: obj('EventSeries', { count: int(), lastObservedTime: str() }),
  action: str(),
  related: ObjectReference,
  reportingComponent: str(),
  reportingInstance: str(),
});
/** An Event, as the API stores and returns it. */
export type Event = Infer<typeof EventShape>;

/** ValidateEventCreate (legacy core/v1 rules): the involved object named, in the Event's namespace when namespaced. */
function validateEvent(e: Event): FieldError[] {
  const errors: FieldError[] = [];
  const ref = e.involvedObject ?? {};
  if (!ref.kind) errors.push({ path: 'involvedObject.kind', message: 'Required value' });
  if (!ref.name) errors.push({ path: 'involvedObject.name', message: 'Required value' });
  if (ref.namespace && ref.namespace !== e.metadata.namespace)
    errors.push({ path: 'involvedObject.namespace', message: `Invalid value: ${JSON.stringify(ref.namespace)}: does not match event.namespace` });
  if (typeof e.reason === 'string' && byteLength(e.reason) > 128) errors.push({ path: 'reason', message: 'Too long: may not be more than 128 bytes' });
  if (typeof e.message === 'string' && byteLength(e.message) > EVENT_MESSAGE_LIMIT) errors.push({ path: 'message', message: `Too long: may not be more than ${EVENT_MESSAGE_LIMIT} bytes` });
  return errors;
}

export const event: KindDef<Event> = {
  ...EventShape,
  resource: 'events',
  getField: 'event',
  listField: 'events',
  shortNames: ['ev'],
  namespaced: true,
  nameErrors: dns1123SubdomainErrors,
  fieldSelectors: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.fieldPath', 'reason', 'type'],
  applyDefaults(e) {
    e.type ??= 'Normal';
    e.count ??= 1;
  },
  validate: validateEvent,
};
