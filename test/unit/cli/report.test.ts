import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ReportBuilder } from '../../../src/cli/report.ts';

describe('check report: JSON written in pieces', () => {
  test('is byte for byte JSON.stringify of the documented shape, whatever the size', async () => {
    for (const count of [0, 1, 3, 5000]) {
      const r = new ReportBuilder();
      r.resource();
      for (let i = 0; i < count; i++) {
        r.add(
          { file: `f${i % 7}.yaml`, index: i, apiVersion: 'v1', kind: 'K', namespace: i % 2 ? 'ns' : '', name: `n"${i}\u2028` },
          { rule: 'r/x', severity: i % 3 === 0 ? 'error' : i % 3 === 1 ? 'warning' : 'info', path: `/spec/a~1b/${i}`, message: 'x'.repeat(i % 400), ...(i % 2 ? { fix: 'do y' } : {}) },
        );
      }
      const chunks: string[] = [];
      await r.writeJson(async (c) => {
        chunks.push(c);
        await new Promise((resolve) => setImmediate(resolve)); // a pipe that takes its time
      });
      assert.equal(chunks.join(''), JSON.stringify(r.json()) + '\n');
      if (count === 5000) assert.ok(chunks.length > 1, 'a large report is written in several pieces');
      assert.deepEqual(JSON.parse(chunks.join('')).summary, { resources: 1, errors: Math.ceil(count / 3), warnings: Math.floor((count + 1) / 3) });
    }
  });
});
