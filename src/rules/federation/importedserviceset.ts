// ImportedServiceSet: which services exported by the peer named by metadata.name this mesh imports, and
// under which names (seed 004). Maistra logs and skips a broken import rule and drops a locality whose
// levels are incomplete; these checks catch both before they silently break imports or failover.

import { ptr } from '../../engine/pointer.ts';
import { defineKind, defineValidator } from '../../engine/rule.ts';
import { regionOfZone } from '../../net/zone.ts';
import { IMPORTED_SERVICE_SET_FIELDS, misplacedFieldRule, unknownFieldRule } from './fields.ts';
import { normalizeDomain } from './names.ts';
import { serviceSetPeerValidator } from './peers.ts';
import { FEDERATION_GROUP, FEDERATION_VERSIONS, importedServiceSetSchema, type ImportedServiceSet } from './schema.ts';

type ImportRule = NonNullable<NonNullable<ImportedServiceSet['spec']>['importRules']>[number];

function rules(obj: ImportedServiceSet): ImportRule[] {
  return obj.spec?.importRules ?? [];
}

export const importRuleType = defineValidator<ImportedServiceSet>({
  id: 'federation/import-rule-type',
  severity: 'error',
  summary: 'every spec.importRules[].type is NameSelector, the only import rule type (Maistra skips any other)',
  source: '004',
  check(obj, _ctx, report) {
    rules(obj).forEach((rule, i) => {
      if (rule.type === 'NameSelector') return;
      report(
        ptr('spec', 'importRules', i, 'type'),
        `spec.importRules[${i}].type is ${rule.type === undefined ? 'not set' : JSON.stringify(rule.type)}; import rules only support NameSelector, others are skipped`,
        `set spec.importRules[${i}].type: NameSelector and select services with nameSelector`,
      );
    });
  },
});

export const importRuleSelector = defineValidator<ImportedServiceSet>({
  id: 'federation/import-rule-selector',
  severity: 'error',
  summary: 'every import rule has a nameSelector (Maistra skips a rule without one)',
  source: '004',
  check(obj, _ctx, report) {
    rules(obj).forEach((rule, i) => {
      if (rule.nameSelector !== undefined && rule.nameSelector !== null) return;
      report(
        ptr('spec', 'importRules', i, 'nameSelector'),
        `spec.importRules[${i}] has no nameSelector, so Maistra skips it and imports nothing for it`,
        `add spec.importRules[${i}].nameSelector with the exported namespace (and name) to import, e.g. {namespace: bookinfo}`,
      );
    });
  },
});

export const importAsLocalAlias = defineValidator<ImportedServiceSet>({
  id: 'federation/import-as-local-alias',
  severity: 'error',
  summary: 'importAsLocal: true requires a fixed nameSelector.alias.namespace (not empty, not *)',
  source: '004',
  check(obj, _ctx, report) {
    rules(obj).forEach((rule, i) => {
      if (rule.importAsLocal !== true) return;
      const ns = rule.nameSelector?.alias?.namespace;
      if (ns !== undefined && ns !== '' && ns !== '*') return;
      const source = rule.nameSelector?.namespace;
      const example = source && source !== '*' ? source : 'bookinfo';
      report(
        ptr('spec', 'importRules', i, 'nameSelector', 'alias', 'namespace'),
        `spec.importRules[${i}] sets importAsLocal but nameSelector.alias.namespace is ${ns === undefined ? 'not set' : JSON.stringify(ns)}; Maistra skips the rule: local services need a fixed namespace`,
        `set spec.importRules[${i}].nameSelector.alias.namespace to the local namespace to aggregate with (e.g. ${example})`,
      );
    });
  },
});

export const importDomainSuffix = defineValidator<ImportedServiceSet>({
  id: 'federation/import-domain-suffix',
  severity: 'error',
  summary: "a domainSuffix (spec or rule) is not the cluster's own domain suffix; use importAsLocal to merge with local services",
  source: '004',
  check(obj, ctx, report) {
    const own = normalizeDomain(ctx.clusterDomain);
    if (own === '') return;
    const peer = obj.metadata.name ?? '<peer>';
    const fix = (where: string) =>
      `remove ${where} (default <name>.<namespace>.svc.${peer}-imports.local), choose another suffix, or set importAsLocal: true with a fixed alias namespace`;
    const specSuffix = obj.spec?.domainSuffix;
    if (specSuffix !== undefined && normalizeDomain(specSuffix) === own) {
      report(
        ptr('spec', 'domainSuffix'),
        `spec.domainSuffix ${JSON.stringify(specSuffix)} is this cluster's own domain suffix; Maistra skips every rule that would use it`,
        fix('spec.domainSuffix'),
      );
    }
    rules(obj).forEach((rule, i) => {
      // importAsLocal overrides domainSuffix, so a rule's own suffix is then never used.
      if (rule.importAsLocal === true || rule.domainSuffix === undefined || normalizeDomain(rule.domainSuffix) !== own) return;
      report(
        ptr('spec', 'importRules', i, 'domainSuffix'),
        `spec.importRules[${i}].domainSuffix ${JSON.stringify(rule.domainSuffix)} is this cluster's own domain suffix; Maistra skips the rule`,
        fix(`spec.importRules[${i}].domainSuffix`),
      );
    });
  },
});

export const importLocality = defineValidator<ImportedServiceSet>({
  id: 'federation/import-locality',
  severity: 'error',
  summary: 'spec.locality: a zone requires a region and a subzone requires a zone (else the locality is dropped and locality failover to imported services cannot work)',
  source: '004',
  check(obj, ctx, report) {
    const loc = obj.spec?.locality;
    if (!loc) return;
    const has = (v: string | undefined) => v !== undefined && v !== '';
    if (has(loc.zone) && !has(loc.region)) {
      const zone = loc.zone as string;
      const region = ctx.topology?.regionOfZone(zone) ?? regionOfZone(zone);
      report(
        ptr('spec', 'locality', 'zone'),
        `spec.locality.zone is ${JSON.stringify(zone)} but region is not set, so the locality is dropped and locality failover to imported services cannot work`,
        region ? `set spec.locality.region: ${region}` : 'set spec.locality.region to the region of that zone',
      );
    }
    if (has(loc.subzone) && !has(loc.zone)) {
      report(
        ptr('spec', 'locality', 'subzone'),
        `spec.locality.subzone is ${JSON.stringify(loc.subzone)} but zone is not set, so the locality is dropped`,
        'set spec.locality.zone to the zone the subzone lies in (and spec.locality.region)',
      );
    }
  },
});

export const importedServiceSetKind = defineKind<ImportedServiceSet>({
  group: FEDERATION_GROUP,
  kind: 'ImportedServiceSet',
  versions: FEDERATION_VERSIONS,
  plural: 'importedservicesets',
  scope: 'Namespaced',
  admission: true,
  schema: importedServiceSetSchema,
  defaulters: [],
  validators: [
    importRuleType,
    importRuleSelector,
    importAsLocalAlias,
    importDomainSuffix,
    importLocality,
    serviceSetPeerValidator<ImportedServiceSet>('ImportedServiceSet'),
    misplacedFieldRule<ImportedServiceSet>('ImportedServiceSet', IMPORTED_SERVICE_SET_FIELDS),
    unknownFieldRule<ImportedServiceSet>('ImportedServiceSet', IMPORTED_SERVICE_SET_FIELDS),
  ],
});
