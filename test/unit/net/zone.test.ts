import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRegionId, isZoneId, regionOfZone } from '../../../src/net/zone.ts';

const cases: Array<[zone: string, region: string | undefined]> = [
  // Alibaba Cloud
  ['cn-hangzhou-j', 'cn-hangzhou'],
  ['cn-hangzhou-i', 'cn-hangzhou'],
  ['cn-shanghai-e', 'cn-shanghai'],
  ['cn-hongkong-b', 'cn-hongkong'],
  ['ap-southeast-1a', 'ap-southeast-1'],
  ['us-west-1a', 'us-west-1'],
  ['cn-shenzhen-finance-1a', 'cn-shenzhen-finance-1'],
  // GCP
  ['us-central1-a', 'us-central1'],
  ['europe-west4-b', 'europe-west4'],
  // AWS
  ['us-east-1a', 'us-east-1'],
  ['eu-west-2c', 'eu-west-2'],
  ['us-gov-west-1a', 'us-gov-west-1'],
  ['us-west-2-lax-1a', 'us-west-2'],
  // Azure
  ['eastus-1', 'eastus'],
  ['eastus2-3', 'eastus2'],
  // not zones
  ['cn-hangzhou', undefined],
  ['us-east-1', undefined],
  ['us-central1', undefined],
  ['1', undefined],
  ['', undefined],
  ['CN-HANGZHOU-J', undefined],
  ['cn-hangzhou-', undefined],
  ['-a', undefined],
  ['hangzhou-j', undefined],
];

test('regionOfZone derives the region from each cloud convention', () => {
  for (const [zone, region] of cases) {
    assert.equal(regionOfZone(zone), region, zone);
    assert.equal(isZoneId(zone), region !== undefined, zone);
  }
});

test('a derived region is itself a region ID and not a zone', () => {
  for (const [zone, region] of cases) {
    if (region === undefined) continue;
    assert.ok(isRegionId(region), `${zone} → ${region}`);
    assert.equal(isZoneId(region), false, region);
  }
});

test('isRegionId', () => {
  for (const r of ['cn-hangzhou', 'us-east-1', 'us-central1', 'eastus', 'cn-shenzhen-finance-1']) assert.ok(isRegionId(r), r);
  for (const r of ['', 'CN-Hangzhou', 'cn_hangzhou', 'cn-hangzhou ', '-x']) assert.equal(isRegionId(r), false, r);
});
