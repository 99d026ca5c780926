import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gauge, Metrics } from './metrics.ts';

test('metrics: counters and histograms render in the Prometheus text format', async () => {
  const m = new Metrics();
  m.inc('req_total', 'Requests', { route: '/a', status: '200' });
  m.inc('req_total', 'Requests', { route: '/a', status: '200' });
  m.inc('req_total', 'Requests', { route: '/b"x', status: '404' });
  m.observe('lat_seconds', 'Latency', { route: '/a' }, 0.004);
  m.observe('lat_seconds', 'Latency', { route: '/a' }, 2);
  m.collect(async () => gauge('things', 'Things', [{ labels: { tenant: 'default' }, value: 3 }]));
  const text = await m.render();
  assert.match(text, /# TYPE req_total counter/);
  assert.match(text, /req_total\{route="\/a",status="200"\} 2/);
  assert.match(text, /req_total\{route="\/b\\"x",status="404"\} 1/);
  assert.match(text, /lat_seconds_bucket\{route="\/a",le="0.005"\} 1/);
  assert.match(text, /lat_seconds_bucket\{route="\/a",le="\+Inf"\} 2/);
  assert.match(text, /lat_seconds_sum\{route="\/a"\} 2.004/);
  assert.match(text, /lat_seconds_count\{route="\/a"\} 2/);
  assert.match(text, /things\{tenant="default"\} 3/);
});
