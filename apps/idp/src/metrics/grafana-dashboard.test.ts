import { readFileSync } from 'node:fs';
import { createPrometheusMetrics } from '@latchkey/sdk/metrics';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createIdpMetrics, registerGauges } from './idp-metrics.js';

/**
 * docs/grafana/latchkey.json against the real registries: every metric a panel queries is one
 * the IdP or the SDK registers, and every label it groups by is one that metric has. A
 * renamed metric then fails here, not on an operator's empty panel.
 */

interface Target {
  expr?: string;
  datasource?: { uid?: string };
}
interface Panel {
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string }[] };
}

const dashboard = JSON.parse(
  readFileSync(new URL('../../../../docs/grafana/latchkey.json', import.meta.url), 'utf8'),
) as Dashboard;

/** Every series name the two registries expose, with their label names. */
function knownSeries(): Map<string, Set<string>> {
  const registry = new Registry();
  createIdpMetrics(registry);
  registerGauges(registry, {
    keys: () => [],
    rotationIntervalMs: 1,
    pingStore: () => Promise.resolve(),
    countSessions: () => Promise.resolve(0),
  });
  createPrometheusMetrics(registry);
  const series = new Map<string, Set<string>>();
  for (const metric of registry.getMetricsAsArray()) {
    // Not in prom-client's MetricObject type, but on every metric it makes.
    const { name, labelNames } = metric as unknown as { name: string; labelNames: string[] };
    // What Prometheus adds to every series it scrapes.
    const labels = new Set([...labelNames, 'instance', 'job']);
    if (!(metric instanceof Histogram)) {
      series.set(name, labels);
      continue;
    }
    series.set(`${name}_bucket`, new Set([...labels, 'le']));
    series.set(`${name}_count`, labels);
    series.set(`${name}_sum`, labels);
  }
  return series;
}

const queried = dashboard.panels.filter((panel) => panel.type !== 'row');
const expressions = queried.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr ?? '' })),
);

describe('the Grafana dashboard (docs/grafana/latchkey.json)', () => {
  it('takes its Prometheus from the DS_PROMETHEUS variable, in every panel and query', () => {
    expect(dashboard.uid).toBe('latchkey');
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', query: 'prometheus' }),
    );
    for (const panel of queried) {
      expect(panel.datasource?.uid, panel.title).toBe('${DS_PROMETHEUS}');
      for (const target of panel.targets ?? []) {
        expect(target.datasource?.uid, panel.title).toBe('${DS_PROMETHEUS}');
      }
    }
  });

  it('queries only metrics the IdP and the SDK register, grouped by labels they have', () => {
    const series = knownSeries();
    expect(expressions.length).toBeGreaterThan(20);
    for (const { panel, expr } of expressions) {
      const names = [...expr.matchAll(/\blatchkey_[a-z_]+/g)].map((match) => match[0]);
      expect(names, `${panel}: ${expr}`).not.toEqual([]);
      for (const name of names) expect(series.has(name), `${panel}: ${name}`).toBe(true);
      const grouped = [...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((match) =>
        match[1]!.split(',').map((label) => label.trim()),
      );
      for (const label of grouped) {
        const has = names.some((name) => series.get(name)!.has(label));
        expect(has, `${panel}: label ${label} on ${names.join(', ')}`).toBe(true);
      }
    }
  });

  it('has a panel for each of the IdP and SDK signals an operator watches', () => {
    const used = new Set(
      expressions.flatMap(({ expr }) => expr.match(/\blatchkey_[a-z_]+/g) ?? []),
    );
    for (const name of [
      'latchkey_logins_total',
      'latchkey_tokens_issued_total',
      'latchkey_refusals_total',
      'latchkey_http_request_duration_seconds_bucket',
      'latchkey_rate_limited_total',
      'latchkey_active_sessions',
      'latchkey_signing_key_age_seconds',
      'latchkey_signing_key_next_rotation_seconds',
      'latchkey_redis_ping_seconds',
      'latchkey_redis_ping_errors_total',
      'latchkey_database_query_duration_seconds_bucket',
      'latchkey_revocations_published_total',
      'latchkey_sdk_revocation_lag_seconds_bucket',
      'latchkey_sdk_verifications_total',
    ]) {
      expect(used.has(name), name).toBe(true);
    }
    // And a real catch, proven once: a name no registry has is refused.
    expect(knownSeries().has('latchkey_logins')).toBe(false);
  });
});
