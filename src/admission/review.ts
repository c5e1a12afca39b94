// AdmissionReview admission.k8s.io/v1: the only wire format we accept. Decoding names the first
// missing or malformed field so a bad caller gets a 400 it can act on.

import { z } from 'zod';
import type { KObject, Operation } from '../engine/types.ts';

const kubeObject = z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'expected an object' });

const gvk = z.looseObject({ group: z.string(), version: z.string(), kind: z.string() });

const requestSchema = z.looseObject({
  uid: z.string().min(1),
  kind: gvk,
  resource: z.looseObject({ group: z.string(), version: z.string(), resource: z.string() }).optional(),
  subResource: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  operation: z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']),
  userInfo: z.looseObject({ username: z.string().optional() }).optional(),
  // Checked for shape only: a record schema would copy every top-level field of both objects.
  object: kubeObject.nullable().optional(),
  oldObject: kubeObject.nullable().optional(),
  dryRun: z.boolean().optional(),
});

const reviewSchema = z.looseObject({
  apiVersion: z.literal('admission.k8s.io/v1'),
  kind: z.literal('AdmissionReview'),
  request: requestSchema,
});

export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  object?: KObject | null;
  oldObject?: KObject | null;
  dryRun?: boolean;
  userInfo?: { username?: string };
}

export type Decoded = { ok: true; request: AdmissionRequest } | { ok: false; error: string };

export function decodeReview(body: unknown): Decoded {
  const parsed = reviewSchema.safeParse(body);
  if (parsed.success) return { ok: true, request: parsed.data.request as AdmissionRequest };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
  const missing = issue?.code === 'invalid_type' && issue.input === undefined;
  return {
    ok: false,
    error: missing
      ? `not an AdmissionReview admission.k8s.io/v1: ${where} is missing`
      : `not an AdmissionReview admission.k8s.io/v1: ${where}: ${issue?.message ?? 'invalid'}`,
  };
}
