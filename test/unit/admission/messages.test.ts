import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditAnnotationKey, capWarnings, denialMessage, MAX_DENIAL_LINES, warningText } from '../../../src/admission/messages.ts';
import type { Finding } from '../../../src/engine/types.ts';

const err = (i: number): Finding => ({ rule: 'federation/remote-address-duplicate', severity: 'error', path: `/spec/remote/addresses/${i}`, message: `address ${i} is listed twice`, fix: 'remove the duplicate' });

test('a denial carries one line per error, capped so kubectl never gets megabytes', () => {
  const few = denialMessage({ kind: 'ServiceMeshPeer', namespace: 'red', name: 'g' }, [err(1), err(2)]).split('\n');
  assert.deepEqual(few, [
    'meshguard denied ServiceMeshPeer red/g: [federation/remote-address-duplicate] address 1 is listed twice at spec.remote.addresses[1]. Fix: remove the duplicate',
    'meshguard denied ServiceMeshPeer red/g: [federation/remote-address-duplicate] address 2 is listed twice at spec.remote.addresses[2]. Fix: remove the duplicate',
  ]);
  const many = denialMessage({ kind: 'ServiceMeshPeer', namespace: 'red', name: 'g' }, Array.from({ length: 20_000 }, (_, i) => err(i))).split('\n');
  assert.equal(many.length, MAX_DENIAL_LINES + 1);
  assert.match(many.at(-1) ?? '', /\+19980 more errors/);
});

test('warnings are ≤ 120 characters, without a Warning: prefix, capped with +N more', () => {
  const long = warningText({ ...err(1), message: 'x'.repeat(500) });
  assert.equal(long.length, 120);
  assert.ok(long.startsWith('[federation/'));
  const capped = capWarnings(Array.from({ length: 15 }, (_, i) => `w${i}`), 10);
  assert.equal(capped.length, 10);
  assert.match(capped[9] ?? '', /^\+6 more/);
});

test('audit annotation keys are qualified-name safe', () => {
  assert.equal(auditAnnotationKey('asm-pvl/name-must-be-default'), 'asm-pvl.name-must-be-default');
  assert.match(auditAnnotationKey('x/' + 'y'.repeat(100)), /^[A-Za-z0-9][-A-Za-z0-9_.]{0,61}[A-Za-z0-9]$/);
});
