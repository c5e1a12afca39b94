import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding, Severity } from '../../../../src/engine/types.ts';
import type { MeshTopology } from '../../../../src/topology/index.ts';
import { admit, alone, seedPlan, topo } from './helpers.ts';

type Spec = MeshTopology['spec'];

interface Expect {
  rule: string;
  path: string;
  severity?: Severity;
  message: RegExp;
  fix?: RegExp;
}

interface Case {
  name: string;
  mutate?: (spec: Spec) => void;
  /** MeshTopology objects already stored (the topology view at admission). */
  stored?: MeshTopology[];
  /** Every finding expected (info findings aside); none = the plan passes. */
  expect: Expect[];
  /** Evaluate with no topology context at all. */
  noTopology?: boolean;
}

const vpc = (s: Spec, id: string) => s.vpcs!.find((v) => v.id === id)!;
const cluster = (s: Spec, id: string) => s.clusters!.find((c) => c.id === id)!;

const cases: Case[] = [
  { name: 'seed 003 plan passes', expect: [] },
  { name: 'seed 003 plan passes with no topology context', expect: [], noTopology: true },
  {
    name: 'dual-stack plan passes',
    mutate: (s) => {
      vpc(s, 'vpc-hangzhou').cidrs!.push('2408:4005:300::/56');
      vpc(s, 'vpc-hangzhou').vSwitches![0]!.ipv6Cidr = '2408:4005:300::/64';
      cluster(s, 'ack-hangzhou').podCIDRs!.push('fd00:10::/64');
      cluster(s, 'ack-hangzhou').serviceCIDRs!.push('fd00:20::/108');
      cluster(s, 'ack-shanghai').podCIDRs!.push('fd00:11::/64');
    },
    expect: [],
  },

  // ---- topology/cidr-invalid
  {
    name: 'cidr-invalid: prefix above 32',
    mutate: (s) => (cluster(s, 'ack-shanghai').podCIDRs = ['10.1.0.0/33']),
    expect: [
      {
        rule: 'topology/cidr-invalid',
        path: '/spec/clusters/1/podCIDRs/0',
        message: /^cluster ack-shanghai pod range CIDR "10\.1\.0\.0\/33" is not a CIDR: prefix length \/33 is above 32 for IPv4$/,
        fix: /^write an address\/prefix block such as 10\.0\.0\.0\/16$/,
      },
    ],
  },
  {
    name: 'cidr-invalid: no prefix, bad octet, IPv6 zone index',
    mutate: (s) => {
      vpc(s, 'vpc-hangzhou2').cidrs = ['192.168.0.0'];
      cluster(s, 'ack-hangzhou').serviceCIDRs = ['172.256.0.0/16'];
      cluster(s, 'ack-shanghai').podCIDRs = ['fe80::%eth0/64'];
    },
    expect: [
      { rule: 'topology/cidr-invalid', path: '/spec/vpcs/2/cidrs/0', message: /VPC vpc-hangzhou2 CIDR "192\.168\.0\.0" is not a CIDR: no \/prefix/ },
      { rule: 'topology/cidr-invalid', path: '/spec/clusters/0/serviceCIDRs/0', message: /octet 256 is above 255/ },
      { rule: 'topology/cidr-invalid', path: '/spec/clusters/1/podCIDRs/0', message: /zone index/ },
      // With the VPC range unreadable, its vSwitch has no VPC range to sit in: not reported as outside.
    ],
  },
  {
    name: 'cidr-invalid: the IPv4 field of a vSwitch holds an IPv6 block, and the other way round',
    mutate: (s) => {
      vpc(s, 'vpc-hangzhou').cidrs!.push('2408:4005:300::/56');
      vpc(s, 'vpc-hangzhou').vSwitches![0] = { id: 'vpc-hangzhou-switch-1', zone: 'cn-hangzhou-j', cidr: '2408:4005:300::/64', ipv6Cidr: '20.0.0.0/16' };
    },
    expect: [
      {
        rule: 'topology/cidr-invalid',
        path: '/spec/vpcs/0/vSwitches/0/cidr',
        message: /^vSwitch vpc-hangzhou-switch-1 2408:4005:300::\/64 is IPv6 but this field holds the IPv4 block$/,
        fix: /^move 2408:4005:300::\/64 to spec\.vpcs\[0\]\.vSwitches\[0\]\.ipv6Cidr$/,
      },
      { rule: 'topology/cidr-invalid', path: '/spec/vpcs/0/vSwitches/0/ipv6Cidr', message: /is IPv4 but this field holds the IPv6 block/, fix: /to spec\.vpcs\[0\]\.vSwitches\[0\]\.cidr$/ },
    ],
  },

  // ---- topology/cidr-host-bits
  {
    name: 'cidr-host-bits: 172.17.5.0/16',
    mutate: (s) => (cluster(s, 'ack-shanghai').serviceCIDRs = ['172.17.5.0/16']),
    expect: [
      {
        rule: 'topology/cidr-host-bits',
        path: '/spec/clusters/1/serviceCIDRs/0',
        message: /^cluster ack-shanghai service range CIDR 172\.17\.5\.0\/16 has host bits set after \/16; the block it denotes is 172\.17\.0\.0\/16$/,
        fix: /^write 172\.17\.0\.0\/16 \(or 172\.17\.5\.0\/24 if the smaller block was meant\)$/,
      },
    ],
  },
  {
    name: 'cidr-host-bits: IPv6 and a VPC range',
    mutate: (s) => (vpc(s, 'vpc-shanghai').cidrs = ['21.0.0.1/8', '2408:4005:300::1/56']),
    expect: [
      { rule: 'topology/cidr-host-bits', path: '/spec/vpcs/1/cidrs/0', message: /VPC vpc-shanghai CIDR 21\.0\.0\.1\/8 has host bits/, fix: /^write 21\.0\.0\.0\/8 \(or 21\.0\.0\.1\/32 / },
      { rule: 'topology/cidr-host-bits', path: '/spec/vpcs/1/cidrs/1', message: /the block it denotes is 2408:4005:300::\/56$/ },
    ],
  },

  // ---- topology/vswitch-outside-vpc
  {
    name: 'vswitch-outside-vpc: 22.0.0.0/16 in a 21.0.0.0/8 VPC',
    mutate: (s) => (vpc(s, 'vpc-shanghai').vSwitches![0]!.cidr = '22.0.0.0/16'),
    expect: [
      {
        rule: 'topology/vswitch-outside-vpc',
        path: '/spec/vpcs/1/vSwitches/0/cidr',
        message: /^vSwitch vpc-shanghai-switch-1 22\.0\.0\.0\/16 is not inside any CIDR of its VPC vpc-shanghai \(IPv4: 21\.0\.0\.0\/8\)$/,
        fix: /^choose a vSwitch block inside 21\.0\.0\.0\/8, or add the VPC CIDR that holds 22\.0\.0\.0\/16 to spec\.vpcs\[1\]\.cidrs$/,
      },
    ],
  },
  {
    name: 'vswitch-outside-vpc: a vSwitch larger than its VPC (a supernet is not inside)',
    mutate: (s) => (vpc(s, 'vpc-hangzhou2').vSwitches![0]!.cidr = '192.168.0.0/15'),
    expect: [{ rule: 'topology/vswitch-outside-vpc', path: '/spec/vpcs/2/vSwitches/0/cidr', message: /192\.168\.0\.0\/15 is not inside/ }],
  },
  {
    name: 'vswitch-outside-vpc: an IPv6 vSwitch block in a VPC without IPv6',
    mutate: (s) => (vpc(s, 'vpc-hangzhou').vSwitches![0]!.ipv6Cidr = '2408:4005:300::/64'),
    expect: [
      {
        rule: 'topology/vswitch-outside-vpc',
        path: '/spec/vpcs/0/vSwitches/0/ipv6Cidr',
        message: /\(IPv6: none\)$/,
        fix: /^add the IPv6 CIDR of VPC vpc-hangzhou that holds 2408:4005:300::\/64 to spec\.vpcs\[0\]\.cidrs$/,
      },
    ],
  },
  {
    name: 'vswitch-outside-vpc: a VPC without stated CIDRs is not checked',
    mutate: (s) => delete vpc(s, 'vpc-shanghai').cidrs,
    expect: [],
  },
  {
    name: 'vswitch-outside-vpc: a Terway pod range outside the cluster VPC',
    mutate: (s) => {
      cluster(s, 'ack-hangzhou').networkPlugin = 'terway';
      cluster(s, 'ack-hangzhou').podCIDRs = ['20.1.0.0/16', '30.0.0.0/16'];
    },
    expect: [
      {
        rule: 'topology/vswitch-outside-vpc',
        path: '/spec/clusters/0/podCIDRs/1',
        message: /^cluster ack-hangzhou uses Terway, so its pod range 30\.0\.0\.0\/16 is a vSwitch range, but it is not inside VPC vpc-hangzhou \(20\.0\.0\.0\/8, spec\.vpcs\[0\]\)$/,
      },
    ],
  },

  // ---- topology/cidr-overlap
  {
    name: 'cidr-overlap: two vSwitches of one VPC',
    mutate: (s) => vpc(s, 'vpc-hangzhou').vSwitches!.push({ id: 'vsw-hz-2', zone: 'cn-hangzhou-k', cidr: '20.0.128.0/17' }),
    expect: [
      {
        rule: 'topology/cidr-overlap',
        path: '/spec/vpcs/0/vSwitches/1/cidr',
        message: /^vSwitch vsw-hz-2 20\.0\.128\.0\/17 overlaps vSwitch vpc-hangzhou-switch-1 20\.0\.0\.0\/16 \(spec\.vpcs\[0\]\.vSwitches\[0\]\.cidr\) in 20\.0\.128\.0\/17$/,
        fix: /^give vSwitch vsw-hz-2 a block no other vSwitch, pod or service range uses \(VPCs joined by CEN .*\), e\.g\. 20\.1\.0\.0\/17$/,
      },
    ],
  },
  {
    name: 'cidr-overlap: VPC CIDRs of different VPCs (and the same vSwitch block in both, seed 003 CEN note)',
    mutate: (s) => {
      s.vpcs!.push({ id: 'vpc-beijing', region: 'cn-beijing', cidrs: ['20.0.0.0/12'], vSwitches: [{ id: 'vsw-bj-1', zone: 'cn-beijing-a', cidr: '20.0.0.0/16' }] });
    },
    expect: [
      {
        rule: 'topology/cidr-overlap',
        path: '/spec/vpcs/3/cidrs/0',
        message: /^VPC vpc-beijing 20\.0\.0\.0\/12 overlaps VPC vpc-hangzhou 20\.0\.0\.0\/8 \(spec\.vpcs\[0\]\.cidrs\[0\]\) in 20\.0\.0\.0\/12$/,
        fix: /^choose VPC blocks that no other VPC, pod or service range uses/,
      },
      { rule: 'topology/cidr-overlap', path: '/spec/vpcs/3/vSwitches/0/cidr', message: /^vSwitch vsw-bj-1 20\.0\.0\.0\/16 overlaps vSwitch vpc-hangzhou-switch-1 20\.0\.0\.0\/16 .* in 20\.0\.0\.0\/16$/ },
    ],
  },
  {
    name: 'cidr-overlap: two overlapping CIDRs of one VPC',
    mutate: (s) => vpc(s, 'vpc-hangzhou2').cidrs!.push('192.168.128.0/17'),
    expect: [{ rule: 'topology/cidr-overlap', path: '/spec/vpcs/2/cidrs/1', message: /^VPC vpc-hangzhou2 192\.168\.128\.0\/17 overlaps VPC vpc-hangzhou2 192\.168\.0\.0\/16/ }],
  },
  {
    name: 'cidr-overlap: a service range that is a supernet of another cluster service range',
    mutate: (s) => (cluster(s, 'ack-shanghai').serviceCIDRs = ['172.16.0.0/12']),
    expect: [
      {
        rule: 'topology/cidr-overlap',
        path: '/spec/clusters/1/serviceCIDRs/0',
        message: /^cluster ack-shanghai service range 172\.16\.0\.0\/12 overlaps cluster ack-hangzhou service range 172\.16\.0\.0\/16 \(spec\.clusters\[0\]\.serviceCIDRs\[0\]\) in 172\.16\.0\.0\/16$/,
        fix: /^choose a service range that overlaps no VPC, vSwitch, pod or service range, e\.g\. 10\.16\.0\.0\/12$/,
      },
    ],
  },
  {
    name: 'cidr-overlap: pod and service range of one cluster',
    mutate: (s) => (cluster(s, 'ack-hangzhou').serviceCIDRs = ['10.0.0.0/20']),
    expect: [{ rule: 'topology/cidr-overlap', path: '/spec/clusters/0/serviceCIDRs/0', message: /^cluster ack-hangzhou service range 10\.0\.0\.0\/20 overlaps cluster ack-hangzhou pod range 10\.0\.0\.0\/16 .* in 10\.0\.0\.0\/20$/ }],
  },
  {
    name: 'cidr-overlap: a Flannel pod range inside a VPC (the Flannel model: pods overlap nothing)',
    mutate: (s) => (cluster(s, 'ack-shanghai').podCIDRs = ['21.1.0.0/16']),
    expect: [
      {
        rule: 'topology/cidr-overlap',
        path: '/spec/clusters/1/podCIDRs/0',
        message: /^cluster ack-shanghai pod range 21\.1\.0\.0\/16 overlaps VPC vpc-shanghai 21\.0\.0\.0\/8 \(spec\.vpcs\[1\]\.cidrs\[0\]\) in 21\.1\.0\.0\/16$/,
        fix: /e\.g\. 10\.1\.0\.0\/16$/,
      },
    ],
  },
  {
    name: 'cidr-overlap: IPv6 pod ranges of two clusters',
    mutate: (s) => {
      cluster(s, 'ack-hangzhou').podCIDRs!.push('fd00::/48');
      cluster(s, 'ack-shanghai').podCIDRs!.push('fd00:0:0:1::/64');
    },
    expect: [{ rule: 'topology/cidr-overlap', path: '/spec/clusters/1/podCIDRs/1', message: /fd00:0:0:1::\/64 overlaps cluster ack-hangzhou pod range fd00::\/48 .* in fd00:0:0:1::\/64$/ }],
  },
  {
    name: 'cidr-overlap: Terway pod ranges may sit in the VPC and be its pod vSwitch',
    mutate: (s) => {
      cluster(s, 'ack-hangzhou').networkPlugin = 'terway';
      cluster(s, 'ack-hangzhou').podCIDRs = ['20.0.0.0/16', '20.1.0.0/16'];
    },
    expect: [],
  },
  {
    name: 'cidr-overlap: a Terway pod range that overlaps a vSwitch without being it',
    mutate: (s) => {
      cluster(s, 'ack-hangzhou').networkPlugin = 'terway';
      cluster(s, 'ack-hangzhou').podCIDRs = ['20.0.0.0/17'];
    },
    expect: [{ rule: 'topology/cidr-overlap', path: '/spec/clusters/0/podCIDRs/0', message: /^cluster ack-hangzhou pod range 20\.0\.0\.0\/17 overlaps vSwitch vpc-hangzhou-switch-1 20\.0\.0\.0\/16/ }],
  },
  {
    name: 'cidr-overlap: a Terway pod range equal to a vSwitch of another VPC',
    mutate: (s) => {
      cluster(s, 'ack-hangzhou').networkPlugin = 'terway';
      cluster(s, 'ack-hangzhou').podCIDRs = ['21.0.0.0/16'];
    },
    expect: [
      { rule: 'topology/vswitch-outside-vpc', path: '/spec/clusters/0/podCIDRs/0', message: /not inside VPC vpc-hangzhou/ },
      { rule: 'topology/cidr-overlap', path: '/spec/clusters/0/podCIDRs/0', message: /overlaps vSwitch vpc-shanghai-switch-1 21\.0\.0\.0\/16/ },
    ],
  },
  {
    name: 'cidr-overlap: against a MeshTopology already stored (admission), naming the other object',
    stored: [topo('network-team', { vpcs: [{ id: 'vpc-legacy', region: 'cn-beijing', cidrs: ['10.0.0.0/8'] }] })],
    expect: [
      {
        rule: 'topology/cidr-overlap',
        path: '/spec/clusters/0/podCIDRs/0',
        message: /^cluster ack-hangzhou pod range 10\.0\.0\.0\/16 overlaps VPC vpc-legacy 10\.0\.0\.0\/8 \(MeshTopology\/network-team spec\.vpcs\[0\]\.cidrs\[0\]\) in 10\.0\.0\.0\/16$/,
        fix: /e\.g\. 172\.18\.0\.0\/16$/,
      },
      { rule: 'topology/cidr-overlap', path: '/spec/clusters/1/podCIDRs/0', message: /10\.1\.0\.0\/16 overlaps VPC vpc-legacy .*MeshTopology\/network-team/ },
    ],
  },
  {
    name: 'cidr-overlap: the same entity restated in a stored object is no overlap; the old version of this object is ignored',
    stored: [
      topo('network-team', { vpcs: [{ id: 'vpc-hangzhou', region: 'cn-hangzhou', cidrs: ['20.0.0.0/8'] }] }),
      topo('seed-003-plan', { vpcs: [{ id: 'vpc-old', region: 'cn-hangzhou', cidrs: ['10.0.0.0/8'] }] }),
    ],
    expect: [],
  },

  // ---- topology/zone-region-mismatch and zone-region-unknown
  {
    name: 'zone-region-mismatch: a Hangzhou zone in a Shanghai VPC',
    mutate: (s) => (vpc(s, 'vpc-shanghai').vSwitches![0]!.zone = 'cn-hangzhou-j'),
    expect: [
      {
        rule: 'topology/zone-region-mismatch',
        path: '/spec/vpcs/1/vSwitches/0/zone',
        message: /^vSwitch vpc-shanghai-switch-1 is in zone cn-hangzhou-j, which is in region cn-hangzhou \(by its name\), but its VPC vpc-shanghai is in cn-shanghai$/,
        fix: /^use a zone of cn-shanghai$/,
      },
    ],
  },
  {
    name: 'zone-region-mismatch: cluster zones and the cluster region, with an example zone',
    mutate: (s) => (cluster(s, 'ack-shanghai').zones = ['cn-shanghai-e', 'cn-hangzhou-i']),
    expect: [
      {
        rule: 'topology/zone-region-mismatch',
        path: '/spec/clusters/1/zones/1',
        message: /^cluster ack-shanghai is in zone cn-hangzhou-i, .* but the cluster is in cn-shanghai$/,
        fix: /^use a zone of cn-shanghai \(e\.g\. cn-shanghai-e\)$/,
      },
    ],
  },
  {
    name: 'zone-region-mismatch: a stated zone region wins over the name',
    mutate: (s) => (s.zones = [{ id: 'cn-shanghai-e', region: 'cn-hangzhou' }]),
    expect: [
      { rule: 'topology/zone-region-mismatch', path: '/spec/vpcs/1/vSwitches/0/zone', message: /which is in region cn-hangzhou \(stated at spec\.zones\[0\]\.region\)/ },
      { rule: 'topology/zone-region-mismatch', path: '/spec/clusters/1/zones/0', message: /cluster ack-shanghai is in zone cn-shanghai-e/ },
    ],
  },
  {
    name: 'zone-region-mismatch: a zone stated by a stored MeshTopology',
    stored: [topo('zones', { zones: [{ id: 'cn-shanghai-e', region: 'cn-shanghai' }, { id: 'cn-hangzhou-j', region: 'cn-shanghai' }] })],
    expect: [
      { rule: 'topology/zone-region-mismatch', path: '/spec/vpcs/0/vSwitches/0/zone', message: /stated at MeshTopology\/zones spec\.zones\[1\]\.region/ },
      { rule: 'topology/zone-region-mismatch', path: '/spec/clusters/0/zones/0', message: /cn-hangzhou-j, which is in region cn-shanghai/ },
    ],
  },
  {
    name: 'zone-region-unknown: a zone with no convention and no statement (warning)',
    mutate: (s) => (vpc(s, 'vpc-hangzhou2').vSwitches![0]!.zone = 'az1'),
    expect: [
      {
        rule: 'topology/zone-region-unknown',
        severity: 'warning',
        path: '/spec/vpcs/2/vSwitches/0/zone',
        message: /^vSwitch vpc-hangzhou-switch-2 zone "az1" follows no known zone naming and no MeshTopology states its region$/,
        fix: /^add \{id: az1, region: cn-hangzhou\} to spec\.zones/,
      },
    ],
  },
  {
    name: 'zone-region-unknown: a stated zone passes',
    mutate: (s) => {
      vpc(s, 'vpc-hangzhou2').vSwitches![0]!.zone = 'az1';
      s.zones = [{ id: 'az1', region: 'cn-hangzhou' }];
    },
    expect: [],
  },

  // ---- topology/cluster-region-mismatch
  {
    name: 'cluster-region-mismatch',
    mutate: (s) => {
      cluster(s, 'ack-shanghai').region = 'cn-hangzhou';
      delete cluster(s, 'ack-shanghai').zones;
    },
    expect: [
      {
        rule: 'topology/cluster-region-mismatch',
        path: '/spec/clusters/1/region',
        message: /^cluster ack-shanghai is in region cn-hangzhou but its VPC vpc-shanghai \(spec\.vpcs\[1\]\) is in cn-shanghai$/,
        fix: /^set spec\.clusters\[1\]\.region: cn-shanghai, or set vpc to a VPC of cn-hangzhou$/,
      },
    ],
  },
  {
    name: 'cluster-region-mismatch: against a VPC of a stored MeshTopology',
    mutate: (s) => {
      s.vpcs = [];
      s.meshes = [];
      s.clusters = [{ id: 'c1', region: 'cn-beijing', vpc: 'vpc-legacy', podCIDRs: ['10.9.0.0/16'] }];
    },
    stored: [topo('network-team', { vpcs: [{ id: 'vpc-legacy', region: 'cn-shanghai', cidrs: ['22.0.0.0/8'] }] })],
    expect: [{ rule: 'topology/cluster-region-mismatch', path: '/spec/clusters/0/region', message: /VPC vpc-legacy \(MeshTopology\/network-team spec\.vpcs\[0\]\) is in cn-shanghai/ }],
  },

  // ---- topology/duplicate-id
  {
    name: 'duplicate-id: vSwitch IDs across VPCs, VPC, cluster, mesh and zone IDs, cluster names',
    mutate: (s) => {
      vpc(s, 'vpc-shanghai').vSwitches![0]!.id = 'vpc-hangzhou-switch-1';
      s.vpcs!.push({ id: 'vpc-hangzhou', region: 'cn-hangzhou' });
      s.clusters!.push({ id: 'ack-hangzhou' }, { id: 'c3', name: 'ack-shanghai' }, { id: 'c4', name: 'ack-hangzhou' });
      s.meshes!.push({ name: 'asm-cross-region' });
      s.zones = [
        { id: 'az1', region: 'cn-hangzhou' },
        { id: 'az1', region: 'cn-hangzhou' },
      ];
    },
    expect: [
      {
        rule: 'topology/duplicate-id',
        path: '/spec/vpcs/1/vSwitches/0/id',
        message: /^vSwitch ID vpc-hangzhou-switch-1 is defined twice in this MeshTopology \(first at spec\.vpcs\[0\]\.vSwitches\[0\]\.id\)$/,
        fix: /^give each vSwitch id a distinct value, or merge the two entries$/,
      },
      { rule: 'topology/duplicate-id', path: '/spec/vpcs/3/id', message: /^VPC ID vpc-hangzhou is defined twice/ },
      { rule: 'topology/duplicate-id', path: '/spec/clusters/2/id', message: /^cluster ID ack-hangzhou is defined twice/ },
      { rule: 'topology/duplicate-id', path: '/spec/clusters/3/name', message: /^cluster name ack-shanghai is defined twice .*spec\.clusters\[1\]\.name/ },
      { rule: 'topology/duplicate-id', path: '/spec/clusters/4/name', message: /^cluster name ack-hangzhou is defined twice/ },
      { rule: 'topology/duplicate-id', path: '/spec/meshes/1/name', message: /^mesh name asm-cross-region is defined twice/ },
      { rule: 'topology/duplicate-id', path: '/spec/zones/1/id', message: /^zone az1 is defined twice/ },
      // The duplicated mesh (no namespace/trust domain of its own) and cluster add nothing else.
    ],
  },

  {
    name: 'duplicate-id: a cluster name that is the ID of another cluster makes lookups ambiguous',
    mutate: (s) => s.clusters!.push({ id: 'c5', name: 'c6' }, { id: 'c6' }),
    expect: [
      {
        rule: 'topology/duplicate-id',
        path: '/spec/clusters/2/name',
        message: /^cluster name c6 is the ID of another cluster \(spec\.clusters\[3\]\.id\), so a reference to it is ambiguous$/,
        fix: /^rename cluster c5$/,
      },
    ],
  },

  // ---- topology/dangling-reference
  {
    name: 'dangling-reference: cluster.vpc, mesh.vpc, mesh.clusters',
    mutate: (s) => {
      cluster(s, 'ack-shanghai').vpc = 'vpc-nowhere';
      s.meshes![0]!.vpc = 'vpc-asm';
      s.meshes![0]!.clusters!.push('ack-beijing');
    },
    expect: [
      {
        rule: 'topology/dangling-reference',
        path: '/spec/clusters/1/vpc',
        message: /^cluster ack-shanghai refers to VPC vpc-nowhere, which is not defined in this MeshTopology or any other$/,
        fix: /^define VPC vpc-nowhere in spec\.vpcs, or use an existing VPC ID \(known: vpc-hangzhou, vpc-shanghai, vpc-hangzhou2\)$/,
      },
      { rule: 'topology/dangling-reference', path: '/spec/meshes/0/vpc', message: /^mesh asm-cross-region refers to VPC vpc-asm/ },
      {
        rule: 'topology/dangling-reference',
        path: '/spec/meshes/0/clusters/2',
        message: /^mesh asm-cross-region lists cluster ack-beijing, which is not defined \(by ID or name\)/,
        fix: /known: ack-hangzhou, ack-shanghai\)$/,
      },
    ],
  },
  {
    name: 'dangling-reference: a warning when no topology is known at all',
    noTopology: true,
    mutate: (s) => (s.meshes![0]!.clusters = ['ack-hangzhou', 'c-elsewhere']),
    expect: [{ rule: 'topology/dangling-reference', severity: 'warning', path: '/spec/meshes/0/clusters/1', message: /not defined \(by ID or name\) in this MeshTopology \(no other MeshTopology is known here\)$/ }],
  },
  {
    name: 'dangling-reference: references resolve by cluster name and through stored objects',
    mutate: (s) => {
      s.clusters![0]!.id = 'c-0123';
      s.meshes![0]!.clusters = ['ack-hangzhou', 'c-elsewhere'];
      s.meshes![0]!.vpc = 'vpc-asm';
    },
    stored: [topo('elsewhere', { vpcs: [{ id: 'vpc-asm', region: 'cn-hangzhou' }], clusters: [{ id: 'c-elsewhere' }] })],
    expect: [],
  },

  // ---- topology/duplicate-trust-domain, duplicate-mesh-namespace
  {
    name: 'duplicate-trust-domain: within one object, case-insensitive',
    mutate: (s) => s.meshes!.push({ name: 'asm-second', namespace: 'asm-second-system', trustDomain: 'Cluster.Local' }),
    expect: [
      {
        rule: 'topology/duplicate-trust-domain',
        path: '/spec/meshes/1/trustDomain',
        message: /^meshes asm-second and asm-cross-region \(spec\.meshes\[0\]\) both use trust domain Cluster\.Local; a workload identity would not say which mesh it belongs to$/,
        fix: /^give mesh asm-second its own trust domain \(e\.g\. asm-second\.local\)$/,
      },
    ],
  },
  {
    name: 'duplicate-trust-domain and duplicate-mesh-namespace: against a stored object',
    stored: [topo('other-meshes', { meshes: [{ name: 'red-mesh', namespace: 'istio-system', trustDomain: 'cluster.local' }] })],
    expect: [
      { rule: 'topology/duplicate-trust-domain', path: '/spec/meshes/0/trustDomain', message: /meshes asm-cross-region and red-mesh \(MeshTopology\/other-meshes spec\.meshes\[0\]\) both use trust domain cluster\.local/ },
      {
        rule: 'topology/duplicate-mesh-namespace',
        path: '/spec/meshes/0/namespace',
        message: /^meshes asm-cross-region and red-mesh \(MeshTopology\/other-meshes spec\.meshes\[0\]\) both use control-plane namespace istio-system; rules could not tell/,
        fix: /^give mesh asm-cross-region its own control-plane namespace \(e\.g\. asm-cross-region-system\)$/,
      },
    ],
  },
  {
    name: 'the same mesh restated in a stored object is not a duplicate',
    stored: [topo('other-meshes', { meshes: [{ name: 'asm-cross-region', namespace: 'istio-system', trustDomain: 'cluster.local' }] })],
    expect: [],
  },
  {
    name: 'duplicate-mesh-namespace: within one object',
    mutate: (s) => s.meshes!.push({ name: 'asm-second', namespace: 'istio-system', trustDomain: 'second.local' }),
    expect: [{ rule: 'topology/duplicate-mesh-namespace', path: '/spec/meshes/1/namespace', message: /both use control-plane namespace istio-system/ }],
  },

  // ---- topology/conflicting-definition at admission
  {
    name: 'conflicting-definition: the incoming object restates an ID differently from a stored one',
    stored: [topo('network-team', { vpcs: [{ id: 'vpc-hangzhou', region: 'cn-hangzhou', cidrs: ['20.0.0.0/16'] }] })],
    expect: [
      {
        rule: 'topology/conflicting-definition',
        path: '/spec/vpcs/0/cidrs',
        // network-team sorts first, so its statement is the earlier one the message names.
        message: /^VPC vpc-hangzhou: cidrs is \[20\.0\.0\.0\/8\] in MeshTopology\/seed-003-plan but \[20\.0\.0\.0\/16\] in MeshTopology\/network-team \(spec\.vpcs\[0\]\.cidrs\)$/,
        fix: /^state VPC vpc-hangzhou the same way in every MeshTopology, or only in one of them/,
      },
    ],
  },
  {
    name: 'conflicting-definition: reported on the incoming object even when its name sorts first',
    stored: [topo('zz-team', { clusters: [{ id: 'ack-shanghai', region: 'cn-beijing' }] })],
    expect: [{ rule: 'topology/conflicting-definition', path: '/spec/clusters/1/region', message: /^cluster ack-shanghai: region is cn-beijing in MeshTopology\/zz-team but cn-shanghai in MeshTopology\/seed-003-plan/ }],
  },
];

function render(f: Finding): string {
  return `${f.severity} ${f.rule} ${f.path}: ${f.message}${f.fix ? ` | fix: ${f.fix}` : ''}`;
}

for (const c of cases) {
  test(c.name, () => {
    const plan = seedPlan();
    c.mutate?.(plan.spec);
    const findings = (c.noTopology ? alone(plan) : admit(plan, c.stored ?? [])).filter((f) => f.severity !== 'info');
    const unmatched = [...findings];
    for (const e of c.expect) {
      const i = unmatched.findIndex((f) => f.rule === e.rule && f.path === e.path && e.message.test(f.message));
      assert.ok(i >= 0, `expected ${e.rule} at ${e.path} matching ${e.message}; got:\n${findings.map(render).join('\n')}`);
      const f = unmatched.splice(i, 1)[0]!;
      assert.equal(f.severity, e.severity ?? 'error', render(f));
      if (e.fix) assert.match(f.fix ?? '', e.fix, render(f));
      assert.ok(f.fix && f.fix.length > 0, `every finding says how to fix it: ${render(f)}`);
      assert.ok(!f.message.includes('\n'), 'one line');
    }
    assert.deepEqual(unmatched.map(render), [], 'no unexpected findings');
  });
}

test('cidr-overlap: a range overlapping many others lists 10 of them and counts the rest', () => {
  const stored = topo('big', {
    vpcs: Array.from({ length: 15 }, (_, i) => ({ id: `vpc-${i}`, region: 'cn-hangzhou', cidrs: [`30.${i}.0.0/16`] })),
  });
  const plan = seedPlan();
  plan.spec.clusters![0]!.podCIDRs = ['30.0.0.0/8'];
  const overlaps = admit(plan, [stored]).filter((f) => f.rule === 'topology/cidr-overlap');
  assert.equal(overlaps.length, 11);
  assert.ok(overlaps.every((f) => f.path === '/spec/clusters/0/podCIDRs/0'));
  assert.match(overlaps[0]!.message, /overlaps VPC vpc-0 30\.0\.0\.0\/16 \(MeshTopology\/big spec\.vpcs\[0\]\.cidrs\[0\]\) in 30\.0\.0\.0\/16$/);
  assert.equal(overlaps[10]!.message, 'cluster ack-hangzhou pod range 30.0.0.0/8 overlaps 5 more ranges than the 10 listed');
  assert.equal(new Set(overlaps.map((f) => f.fix)).size, 1);
  // No free /8 in private space here (10/8 holds ack-shanghai's pods), so no example is offered.
  assert.equal(overlaps[0]!.fix, 'choose a pod range that overlaps no VPC, vSwitch, pod or service range');
});
