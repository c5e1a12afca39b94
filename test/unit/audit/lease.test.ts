// Leader election's pure decision: what a candidate does with the Lease it read. (The loop itself, with
// renewals, conflicts, release and takeover, runs against the real apiserver in test/e2e/audit.test.ts.)

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decide, jitter, LeaderElector, releasedRecord, type LeaseRecord } from '../../../src/kube/lease.ts';
import { memoryLogger } from '../../helpers/log.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const held = (holder: string, renew = '2026-03-01T09:59:59.000000Z', transitions = 2): LeaseRecord => ({
  holderIdentity: holder,
  leaseDurationSeconds: 15,
  acquireTime: '2026-03-01T09:00:00.000000Z',
  renewTime: renew,
  leaseTransitions: transitions,
});

describe('decide', () => {
  test('no Lease yet: create it, holding it, with zero transitions and MicroTime stamps', () => {
    const d = decide({ identity: 'me', leaseDurationSeconds: 15, current: undefined, observed: undefined, nowMs: T0 });
    assert.equal(d.action, 'create');
    assert.ok(d.action === 'create');
    assert.deepEqual(d.record, {
      holderIdentity: 'me',
      leaseDurationSeconds: 15,
      acquireTime: '2026-03-01T10:00:00.000000Z',
      renewTime: '2026-03-01T10:00:00.000000Z',
      leaseTransitions: 0,
    });
  });

  test('held by another and first seen now: wait, even if its renewTime looks old (our clock starts now)', () => {
    const d = decide({ identity: 'me', leaseDurationSeconds: 15, current: held('other', '2026-03-01T08:00:00.000000Z'), observed: undefined, nowMs: T0 });
    assert.equal(d.action, 'wait');
    assert.ok(d.action === 'wait');
    assert.equal(d.holder, 'other');
    assert.equal(d.observed.atMs, T0);
  });

  test('held by another and unchanged for less than its duration: wait; for its duration or more: take it over', () => {
    const cur = held('other');
    const first = decide({ identity: 'me', leaseDurationSeconds: 15, current: cur, observed: undefined, nowMs: T0 });
    const before = decide({ identity: 'me', leaseDurationSeconds: 15, current: cur, observed: first.observed, nowMs: T0 + 14_999 });
    assert.equal(before.action, 'wait');
    assert.equal(before.observed.atMs, T0, 'an unchanged record keeps its first observation time');
    const after = decide({ identity: 'me', leaseDurationSeconds: 15, current: cur, observed: first.observed, nowMs: T0 + 15_000 });
    assert.equal(after.action, 'update');
    assert.ok(after.action === 'update');
    assert.equal(after.record.holderIdentity, 'me');
    assert.equal(after.record.leaseTransitions, 3, 'a change of holder is a transition');
    assert.equal(after.record.acquireTime, '2026-03-01T10:00:15.000000Z');
  });

  test("the holder's own leaseDurationSeconds decides when it expires, not ours", () => {
    const cur = { ...held('other'), leaseDurationSeconds: 60 };
    const first = decide({ identity: 'me', leaseDurationSeconds: 15, current: cur, observed: undefined, nowMs: T0 });
    assert.equal(decide({ identity: 'me', leaseDurationSeconds: 15, current: cur, observed: first.observed, nowMs: T0 + 30_000 }).action, 'wait');
    assert.equal(decide({ identity: 'me', leaseDurationSeconds: 15, current: cur, observed: first.observed, nowMs: T0 + 60_000 }).action, 'update');
  });

  test('a renewal by the holder restarts our clock', () => {
    const first = decide({ identity: 'me', leaseDurationSeconds: 15, current: held('other'), observed: undefined, nowMs: T0 });
    const renewed = held('other', '2026-03-01T10:00:10.000000Z');
    const d = decide({ identity: 'me', leaseDurationSeconds: 15, current: renewed, observed: first.observed, nowMs: T0 + 14_000 });
    assert.equal(d.action, 'wait');
    assert.equal(d.observed.atMs, T0 + 14_000);
    assert.equal(decide({ identity: 'me', leaseDurationSeconds: 15, current: renewed, observed: d.observed, nowMs: T0 + 20_000 }).action, 'wait');
  });

  test('released (holder cleared): take it at once', () => {
    const released = releasedRecord(held('other'), T0);
    assert.equal(released.holderIdentity, '');
    assert.equal(released.leaseDurationSeconds, 1);
    assert.equal(released.leaseTransitions, 2);
    const d = decide({ identity: 'me', leaseDurationSeconds: 15, current: released, observed: undefined, nowMs: T0 + 1 });
    assert.equal(d.action, 'update');
    assert.ok(d.action === 'update');
    assert.equal(d.record.leaseTransitions, 3);
    assert.equal(d.record.leaseDurationSeconds, 15);
  });

  test('held by me: renew (new renewTime), keeping acquireTime and transitions', () => {
    const d = decide({ identity: 'me', leaseDurationSeconds: 15, current: held('me'), observed: undefined, nowMs: T0 });
    assert.ok(d.action === 'update');
    assert.equal(d.record.renewTime, '2026-03-01T10:00:00.000000Z');
    assert.equal(d.record.acquireTime, '2026-03-01T09:00:00.000000Z');
    assert.equal(d.record.leaseTransitions, 2);
  });
});

describe('timing', () => {
  test('jitter stretches by up to the factor, never shortens', () => {
    assert.equal(jitter(5000, 0.2, () => 0), 5000);
    assert.equal(jitter(5000, 0.2, () => 0.999999), 5000 + 0.999999 * 1000);
    for (let i = 0; i < 200; i++) {
      const j = jitter(2000, 1.2);
      assert.ok(j >= 2000 && j < 4400, String(j));
    }
  });

  test('a renew deadline not shorter than the lease duration is refused (the leader must step down first)', () => {
    const { log } = memoryLogger();
    const base = { api: {} as never, namespace: 'ns', name: 'l', log, onStartedLeading: () => {}, onStoppedLeading: () => {} };
    assert.throws(() => new LeaderElector({ ...base, leaseDurationSeconds: 10, renewDeadlineSeconds: 10 }), /renewDeadlineSeconds/);
    assert.throws(() => new LeaderElector({ ...base, renewDeadlineSeconds: 2, retryPeriodSeconds: 2 }), /retryPeriodSeconds/);
    const ok = new LeaderElector(base);
    assert.match(ok.identity, /^.+_[0-9a-f]{8}$/);
  });
});
