/** A workload's `spec.selector` (a LabelSelector object) as a predicate on labels; an invalid or empty selector selects nothing, as controllers treat it. */
import { labelSelectorFromObject, matchesLabels } from '../../resources/selectors/label-selector.js';

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

export const selectsNothing: LabelMatcher = () => false;

export function labelMatcher(selector: unknown): LabelMatcher {
  const { requirements, errors } = labelSelectorFromObject(selector, 'spec.selector');
  if (errors.length > 0 || requirements.length === 0) return selectsNothing;
  return (labels) => matchesLabels(requirements, labels);
}
