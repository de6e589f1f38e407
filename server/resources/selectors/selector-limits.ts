/**
 * How large a selector may be (label and field selectors, as text or as a LabelSelector object):
 * generous for any real use (Kubernetes' own selectors have a handful of terms), small enough that
 * parsing and matching one stays a bounded piece of work on every list, watch and event.
 */
export const MAX_SELECTOR_LENGTH = 16 * 1024;
export const MAX_SELECTOR_TERMS = 100;
/** Values of one `in`/`notin` requirement. */
export const MAX_SELECTOR_VALUES = 100;
