// ExportedServiceSet: which services of this mesh the peer named by metadata.name may see (seed 004).
// Maistra logs and skips a broken export rule; these checks make that an admission failure instead.

import { ptr } from '../../engine/pointer.ts';
import { defineKind, defineValidator } from '../../engine/rule.ts';
import { EXPORTED_SERVICE_SET_FIELDS, misplacedFieldRule, unknownFieldRule } from './fields.ts';
import { serviceSetPeerValidator } from './peers.ts';
import { exportedServiceSetSchema, FEDERATION_GROUP, FEDERATION_VERSIONS, type ExportedServiceSet } from './schema.ts';

const EXPORT_TYPES = ['NameSelector', 'LabelSelector'] as const;
type ExportType = (typeof EXPORT_TYPES)[number];
const SELECTOR_OF: Record<ExportType, 'nameSelector' | 'labelSelector'> = { NameSelector: 'nameSelector', LabelSelector: 'labelSelector' };

type ExportRule = NonNullable<NonNullable<ExportedServiceSet['spec']>['exportRules']>[number];

function rules(obj: ExportedServiceSet): ExportRule[] {
  return obj.spec?.exportRules ?? [];
}

export const exportRuleType = defineValidator<ExportedServiceSet>({
  id: 'federation/export-rule-type',
  severity: 'error',
  summary: 'every spec.exportRules[].type is NameSelector or LabelSelector (Maistra skips a rule of any other type)',
  source: '004',
  check(obj, _ctx, report) {
    rules(obj).forEach((rule, i) => {
      const type = rule.type;
      if (type !== undefined && (EXPORT_TYPES as readonly string[]).includes(type)) return;
      const byCase = EXPORT_TYPES.find((t) => t.toLowerCase() === type?.toLowerCase());
      const guess = byCase ?? (rule.labelSelector !== undefined && rule.nameSelector === undefined ? 'LabelSelector' : 'NameSelector');
      report(
        ptr('spec', 'exportRules', i, 'type'),
        `spec.exportRules[${i}].type is ${type === undefined ? 'not set' : JSON.stringify(type)}; Maistra skips export rules whose type is not NameSelector or LabelSelector`,
        `set spec.exportRules[${i}].type: ${guess}`,
      );
    });
  },
});

export const exportRuleSelector = defineValidator<ExportedServiceSet>({
  id: 'federation/export-rule-selector',
  severity: 'error',
  summary: "an export rule sets the selector its type names (nameSelector or labelSelector) and not the other",
  source: '004',
  check(obj, _ctx, report) {
    rules(obj).forEach((rule, i) => {
      const type = rule.type as ExportType;
      if (!(EXPORT_TYPES as readonly string[]).includes(type)) return; // export-rule-type reports it
      const wanted = SELECTOR_OF[type];
      const other = wanted === 'nameSelector' ? 'labelSelector' : 'nameSelector';
      if (rule[wanted] === undefined || rule[wanted] === null) {
        report(
          ptr('spec', 'exportRules', i, wanted),
          `spec.exportRules[${i}] has type ${type} but no ${wanted}, so Maistra skips it and exports nothing for it`,
          rule[other] !== undefined
            ? `set spec.exportRules[${i}].type: ${other === 'nameSelector' ? 'NameSelector' : 'LabelSelector'} to match its ${other}, or write a ${wanted}`
            : `add spec.exportRules[${i}].${wanted}`,
        );
      }
      if (rule[other] !== undefined) {
        report(
          ptr('spec', 'exportRules', i, other),
          `spec.exportRules[${i}].${other} is ignored because the rule's type is ${type}`,
          `remove spec.exportRules[${i}].${other} (or move it to a rule of its own type)`,
        );
      }
    });
  },
});

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

/** Why `key` is not a Kubernetes label key (`[prefix/]name`), or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !prefix.split('.').every((l) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(l)))) {
    return `its prefix ${JSON.stringify(prefix)} is not a DNS subdomain`;
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return 'its name part is not 1-63 letters, digits, "-", "_" or "." starting and ending with a letter or digit';
  }
  return undefined;
}

/** Label values are empty or like label names (at most 63 characters). */
export function labelValueOk(value: string): boolean {
  return value === '' || (value.length <= 63 && LABEL_NAME.test(value));
}

export const exportLabelSelector = defineValidator<ExportedServiceSet>({
  id: 'federation/export-label-selector',
  severity: 'error',
  summary: 'labelSelector.selector parses as a Kubernetes label selector (Maistra skips a rule whose selector does not)',
  source: '004',
  check(obj, _ctx, report) {
    rules(obj).forEach((rule, i) => {
      const selector = rule.labelSelector?.selector;
      if (!selector) return;
      const base = ['spec', 'exportRules', i, 'labelSelector', 'selector'] as const;
      const where = `spec.exportRules[${i}].labelSelector.selector`;
      for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
        const p = labelKeyProblem(key);
        if (p) report(ptr(...base, 'matchLabels', key), `${where}.matchLabels key ${JSON.stringify(key)} is not a label key: ${p}`, 'use a valid label key such as app or app.kubernetes.io/name');
        if (!labelValueOk(value)) {
          report(
            ptr(...base, 'matchLabels', key),
            `${where}.matchLabels[${JSON.stringify(key)}] value ${JSON.stringify(value)} is not a label value (at most 63 letters, digits, "-", "_", ".")`,
            'use the exact label value the Services carry',
          );
        }
      }
      (selector.matchExpressions ?? []).forEach((expr, j) => {
        const at = (...rest: string[]) => ptr(...base, 'matchExpressions', j, ...rest);
        const w = `${where}.matchExpressions[${j}]`;
        if (expr.key === undefined || labelKeyProblem(expr.key)) {
          report(at('key'), `${w}.key ${expr.key === undefined ? 'is not set' : `${JSON.stringify(expr.key)} is not a label key`}`, 'set key to the label key to match, e.g. app');
        }
        const op = expr.operator;
        if (op === undefined || !(OPERATORS as readonly string[]).includes(op)) {
          const fixed = OPERATORS.find((o) => o.toLowerCase() === op?.toLowerCase());
          report(
            at('operator'),
            `${w}.operator is ${op === undefined ? 'not set' : JSON.stringify(op)}; it must be In, NotIn, Exists or DoesNotExist`,
            fixed ? `set operator: ${fixed}` : 'set operator to In, NotIn, Exists or DoesNotExist',
          );
          return;
        }
        const values = expr.values ?? [];
        if ((op === 'In' || op === 'NotIn') && values.length === 0) {
          report(at('values'), `${w} uses ${op} with no values`, `list the label values to match in values, or use operator ${op === 'In' ? 'Exists' : 'DoesNotExist'}`);
        }
        if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) {
          report(at('values'), `${w} uses ${op} with values, which the operator does not allow`, `remove values (or use operator ${op === 'Exists' ? 'In' : 'NotIn'})`);
        }
        values.forEach((v, k) => {
          if (!labelValueOk(v)) report(at('values', String(k)), `${w}.values[${k}] ${JSON.stringify(v)} is not a label value`, 'use the exact label value the Services carry');
        });
      });
    });
  },
});

export const exportedServiceSetKind = defineKind<ExportedServiceSet>({
  group: FEDERATION_GROUP,
  kind: 'ExportedServiceSet',
  versions: FEDERATION_VERSIONS,
  plural: 'exportedservicesets',
  scope: 'Namespaced',
  admission: true,
  schema: exportedServiceSetSchema,
  defaulters: [],
  validators: [
    exportRuleType,
    exportRuleSelector,
    exportLabelSelector,
    serviceSetPeerValidator<ExportedServiceSet>('ExportedServiceSet'),
    misplacedFieldRule<ExportedServiceSet>('ExportedServiceSet', EXPORTED_SERVICE_SET_FIELDS),
    unknownFieldRule<ExportedServiceSet>('ExportedServiceSet', EXPORTED_SERVICE_SET_FIELDS),
  ],
});
