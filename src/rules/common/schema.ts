// Shared zod building blocks. Schemas check shape only: loose (unknown fields allowed and kept),
// no transforms, no defaults, so the raw object is itself a valid value of the inferred type.

import { z } from 'zod';

export const objectMeta = z.looseObject({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** A Kubernetes object with the given spec schema. */
export function resource<S extends z.ZodType>(spec: S) {
  return z.looseObject({
    apiVersion: z.string(),
    kind: z.string(),
    metadata: objectMeta,
    spec,
  });
}

/** Kubernetes int-or-string (e.g. `25%` or `1`). */
export const intOrString = z.union([z.number().int(), z.string()]);
