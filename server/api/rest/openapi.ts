/** /openapi/v2 and /openapi/v3: generated from the registry's shapes. */
export function openApiDocument(_rest: string[]): unknown {
  return undefined;
}
