// The one place the AdmissionReview envelope is built: the uid is copied and the version echoed here only.

import type { AddOp } from '../engine/patch.ts';

export interface AdmissionResponseBody {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason?: string; message: string };
  patchType?: 'JSONPatch';
  patch?: string;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

export interface AdmissionReviewOut {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: AdmissionResponseBody;
}

export interface Outcome {
  allowed: boolean;
  denial?: string;
  patch?: readonly AddOp[];
  warnings?: readonly string[];
  auditAnnotations?: Record<string, string>;
}

export function buildReview(uid: string, outcome: Outcome): AdmissionReviewOut {
  const response: AdmissionResponseBody = { uid, allowed: outcome.allowed };
  if (!outcome.allowed) response.status = { code: 403, reason: 'Forbidden', message: outcome.denial ?? 'denied by meshguard' };
  if (outcome.allowed && outcome.patch && outcome.patch.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(outcome.patch)).toString('base64');
  }
  if (outcome.warnings && outcome.warnings.length > 0) response.warnings = [...outcome.warnings];
  if (outcome.auditAnnotations && Object.keys(outcome.auditAnnotations).length > 0) response.auditAnnotations = outcome.auditAnnotations;
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}
