// ASMPvlConfig: PrivateLink between an ASM instance and ACK clusters in other VPCs (seeds 000/002).

import { defineKind, defineValidator } from '../../engine/rule.ts';
import { ptr } from '../../engine/pointer.ts';
import { ASM_GROUP, asmPvlConfigSchema, type AsmPvlConfig } from './schema.ts';

export const nameMustBeDefault = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/name-must-be-default',
  severity: 'error',
  summary: 'metadata.name is `default`; ASM ignores an ASMPvlConfig of any other name',
  source: '000, 002',
  check(obj, _ctx, report) {
    const name = obj.metadata.name;
    if (name !== 'default') {
      report(ptr('metadata', 'name'), `name is ${JSON.stringify(name ?? '')}, but ASM only reads the ASMPvlConfig named "default"`, 'set metadata.name: default');
    }
  },
});

export const asmPvlConfigKind = defineKind<AsmPvlConfig>({
  group: ASM_GROUP,
  kind: 'ASMPvlConfig',
  versions: ['v1beta1'],
  plural: 'asmpvlconfigs',
  scope: 'Namespaced',
  admission: true,
  schema: asmPvlConfigSchema,
  defaulters: [],
  validators: [nameMustBeDefault],
});
