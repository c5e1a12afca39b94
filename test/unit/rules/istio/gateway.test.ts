import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KObject, Severity } from '../../../../src/engine/types.ts';
import { hostsCoverLocal } from '../../../../src/rules/istio/gateway.ts';
import { assertFindingAt, check, findingsOf, twice } from './helpers.ts';

const DEFAULTER = 'istio-gw/default-auto-passthrough-server';

/** Seed 001's expose-services Gateway with `servers` replaced. */
function gateway(servers: unknown[], selector: Record<string, string> = { istio: 'eastwestgateway' }): KObject {
  return { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'cross-network-gateway', namespace: 'istio-system' }, spec: { selector, servers } };
}
const seedServer = () => ({ port: { number: 15443, name: 'tls', protocol: 'TLS' }, tls: { mode: 'AUTO_PASSTHROUGH' }, hosts: ['*.local'] });

interface Case {
  rule: string;
  severity: Severity;
  name: string;
  gw: KObject;
  path: string;
  message: RegExp;
  fix: RegExp;
  defaults?: boolean;
}

const invalid: Case[] = [
  {
    rule: 'istio-gw/cross-network-auto-passthrough',
    severity: 'error',
    name: 'an east-west 15443 server with ISTIO_MUTUAL',
    gw: gateway([{ ...seedServer(), tls: { mode: 'ISTIO_MUTUAL' } }]),
    path: '/spec/servers/0/tls/mode',
    message: /tls\.mode "ISTIO_MUTUAL"; only AUTO_PASSTHROUGH forwards/,
    fix: /set spec\.servers\[0\]\.tls\.mode: AUTO_PASSTHROUGH/,
  },
  {
    rule: 'istio-gw/cross-network-auto-passthrough',
    severity: 'error',
    name: 'an east-west *.local server on another port without tls',
    gw: gateway([{ port: { number: 8443, name: 'tls', protocol: 'TLS' }, hosts: ['*.local'] }]),
    path: '/spec/servers/0/tls/mode',
    message: /tls\.mode ""/,
    fix: /AUTO_PASSTHROUGH/,
  },
  {
    rule: 'istio-gw/cross-network-auto-passthrough',
    severity: 'error',
    name: 'an AUTO_PASSTHROUGH server with protocol HTTPS (any selector)',
    gw: gateway([{ ...seedServer(), port: { number: 15443, name: 'tls', protocol: 'HTTPS' } }], { istio: 'ingressgateway' }),
    path: '/spec/servers/0/port/protocol',
    message: /protocol "HTTPS"; traffic from other networks is mTLS routed by SNI, which needs TLS/,
    fix: /set spec\.servers\[0\]\.port\.protocol: TLS/,
  },
  {
    rule: 'istio-gw/cross-network-auto-passthrough',
    severity: 'error',
    name: 'an AUTO_PASSTHROUGH server without protocol, mutation off',
    gw: gateway([{ tls: { mode: 'AUTO_PASSTHROUGH' }, hosts: ['*.local'], port: { number: 15443, name: 'tls' } }]),
    path: '/spec/servers/0/port/protocol',
    message: /protocol ""/,
    fix: /protocol: TLS/,
    defaults: false,
  },
  {
    rule: 'istio-gw/cross-network-port',
    severity: 'warning',
    name: 'AUTO_PASSTHROUGH on 443',
    gw: gateway([{ ...seedServer(), port: { number: 443, name: 'tls', protocol: 'TLS' } }]),
    path: '/spec/servers/0/port/number',
    message: /listens on 443; other networks reach east-west gateways on 15443/,
    fix: /port\.number: 15443/,
  },
  {
    rule: 'istio-gw/cross-network-port-name',
    severity: 'warning',
    name: 'the cross-network port named https',
    gw: gateway([{ ...seedServer(), port: { number: 15443, name: 'https', protocol: 'TLS' } }]),
    path: '/spec/servers/0/port/name',
    message: /named "https", not "tls"/,
    fix: /port\.name: tls/,
  },
  {
    rule: 'istio-gw/cross-network-hosts',
    severity: 'warning',
    name: 'hosts limited to one service',
    gw: gateway([{ ...seedServer(), hosts: ['reviews.default.svc.cluster.local'] }]),
    path: '/spec/servers/0/hosts',
    message: /hosts \[reviews\.default\.svc\.cluster\.local\] do not cover "\*\.local"/,
    fix: /add "\*\.local"/,
  },
  {
    rule: 'istio-gw/cross-network-hosts',
    severity: 'warning',
    name: 'hosts *.cluster.local cover only part of *.local (second server)',
    gw: gateway([{ port: { number: 15012, name: 'tls-istiod', protocol: 'tls' }, tls: { mode: 'PASSTHROUGH' }, hosts: ['*'] }, { ...seedServer(), hosts: ['*.cluster.local'] }]),
    path: '/spec/servers/1/hosts',
    message: /do not cover/,
    fix: /spec\.servers\[1\]\.hosts/,
  },
];

const valid: Array<{ rule: string; name: string; gw: KObject; defaults?: boolean }> = [
  ...['istio-gw/cross-network-auto-passthrough', 'istio-gw/cross-network-port', 'istio-gw/cross-network-port-name', 'istio-gw/cross-network-hosts'].map((rule) => ({
    rule,
    name: "seed 001's expose-services Gateway",
    gw: gateway([seedServer()]),
  })),
  { rule: 'istio-gw/cross-network-auto-passthrough', name: "istiod's exposure on 15012/15017 (PASSTHROUGH) is not cross-network", gw: gateway([{ port: { number: 15012, name: 'tls-istiod', protocol: 'tls' }, tls: { mode: 'PASSTHROUGH' }, hosts: ['*'] }]) },
  { rule: 'istio-gw/cross-network-auto-passthrough', name: 'lower-case protocol tls', gw: gateway([{ ...seedServer(), port: { number: 15443, name: 'tls', protocol: 'tls' } }]) },
  { rule: 'istio-gw/cross-network-auto-passthrough', name: 'an ingress gateway on 15443 with SIMPLE TLS is not east-west', gw: gateway([{ port: { number: 15443, name: 'https', protocol: 'HTTPS' }, tls: { mode: 'SIMPLE' }, hosts: ['*.local'] }], { istio: 'ingressgateway' }) },
  { rule: 'istio-gw/cross-network-hosts', name: 'namespace-prefixed *.local', gw: gateway([{ ...seedServer(), hosts: ['istio-system/*.local'] }]) },
  { rule: 'istio-gw/cross-network-hosts', name: 'host *', gw: gateway([{ ...seedServer(), hosts: ['*'] }]) },
  { rule: 'istio-gw/cross-network-auto-passthrough', name: 'Maistra selector istio.io/gateway-name', gw: gateway([seedServer()], { 'istio.io/gateway-name': 'eastwestgateway' }) },
];

describe('Gateway rules', () => {
  for (const c of invalid) {
    test(`${c.rule}: ${c.name}`, () => {
      assertFindingAt(findingsOf(c.gw, c.rule, {}, c.defaults ?? true), c.rule, c.path, c);
    });
  }
  for (const v of valid) {
    test(`${v.rule}: no finding for ${v.name}`, () => {
      assert.deepEqual(findingsOf(v.gw, v.rule, {}, v.defaults ?? true), []);
    });
  }
  test('every Gateway rule has an invalid case', () => {
    const ids = check(gateway([])).kind!.validators.map((r) => r.id);
    const covered = new Set(invalid.map((c) => c.rule));
    assert.deepEqual(ids.filter((id) => !covered.has(id)), []);
  });
  test('hostsCoverLocal', () => {
    assert.equal(hostsCoverLocal(['*.local']), true);
    assert.equal(hostsCoverLocal(['./*.local']), true);
    assert.equal(hostsCoverLocal(['*/*']), true);
    assert.equal(hostsCoverLocal(['*.svc.cluster.local']), false);
    assert.equal(hostsCoverLocal(undefined), false);
  });
});

describe('AUTO_PASSTHROUGH server defaults', () => {
  test('a bare AUTO_PASSTHROUGH server gets port 15443/tls/TLS and hosts [*.local], each as a warning; second pass empty', () => {
    const obj = gateway([{ tls: { mode: 'AUTO_PASSTHROUGH' } }]);
    const { first, stored, second } = twice(obj);
    assert.deepEqual(
      first.patch.map((p) => [p.path, p.value]),
      [
        ['/spec/servers/0/port', { number: 15443, name: 'tls', protocol: 'TLS' }],
        ['/spec/servers/0/hosts', ['*.local']],
      ],
    );
    const warnings = first.findings.filter((f) => f.rule === DEFAULTER);
    assert.deepEqual(warnings.map((w) => w.path), ['/spec/servers/0/port/number', '/spec/servers/0/port/name', '/spec/servers/0/port/protocol', '/spec/servers/0/hosts']);
    assert.ok(warnings.every((w) => w.severity === 'warning' && w.message.startsWith('set spec.servers[0].')));
    assert.deepEqual((stored.spec as { servers: unknown[] }).servers[0], { tls: { mode: 'AUTO_PASSTHROUGH' }, port: { number: 15443, name: 'tls', protocol: 'TLS' }, hosts: ['*.local'] });
    assert.deepEqual(first.findings.filter((f) => f.severity === 'error'), []);
    assert.deepEqual(second.patch, []);
  });
  test('only absent fields are filled: a user port number and hosts stay, the missing name and protocol are added', () => {
    const obj = gateway([{ tls: { mode: 'AUTO_PASSTHROUGH' }, port: { number: 443 }, hosts: ['a.example.local'] }]);
    const { first, second } = twice(obj);
    assert.deepEqual(
      first.patch.map((p) => [p.path, p.value]),
      [
        ['/spec/servers/0/port/name', 'tls'],
        ['/spec/servers/0/port/protocol', 'TLS'],
      ],
    );
    assert.deepEqual(second.patch, []);
  });
  test('servers that are not AUTO_PASSTHROUGH are never defaulted, and no server is created', () => {
    assert.deepEqual(check(gateway([{ tls: { mode: 'SIMPLE' } }])).patch, []);
    assert.deepEqual(check(gateway([])).patch, []);
    assert.deepEqual(check({ ...gateway([]), spec: { selector: { istio: 'eastwestgateway' } } }).patch, []);
  });
  test('the defaulter walks existing servers only (second server)', () => {
    const { first } = twice(gateway([seedServer(), { tls: { mode: 'AUTO_PASSTHROUGH' }, hosts: ['*.local'] }]));
    assert.deepEqual(first.patch.map((p) => p.path), ['/spec/servers/1/port']);
  });
});
