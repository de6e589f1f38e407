/** ObjectReference: a pointer to another object (an Endpoints address's targetRef, a ServiceAccount's secrets). */
import { obj, str } from '../shape.js';

export const ObjectReference = obj('ObjectReference', {
  kind: str(),
  namespace: str(),
  name: str(),
  uid: str(),
  apiVersion: str(),
  resourceVersion: str(),
  fieldPath: str(),
});
