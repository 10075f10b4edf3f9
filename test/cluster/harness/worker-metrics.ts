/** A worker's Prometheus endpoint, scraped and parsed with a text-format parser. */
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';

export async function scrapeMetrics(port: number): Promise<PrometheusFamily[]> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  return parsePrometheusTextFormat(await response.text());
}

/**
 * The sum of a counter's samples over all labels (an exporter may add `_total` to the name);
 * 0 before the counter is first incremented.
 */
export function counterValue(families: readonly PrometheusFamily[], name: string): number {
  const family = families.find((candidate) => candidate.name === name || candidate.name === `${name}_total`);
  return (family?.metrics ?? []).reduce((sum, sample) => sum + Number(sample.value ?? 0), 0);
}

/**
 * A histogram's observation count over all labels (its `+Inf` bucket, which the parser keeps when
 * it drops `_count` for labelled samples); 0 before its first observation.
 */
export function histogramCount(families: readonly PrometheusFamily[], name: string): number {
  const family = families.find((candidate) => candidate.name === name);
  return (family?.metrics ?? []).reduce(
    (sum, sample) => sum + Number(sample.count ?? sample.buckets?.['+Inf'] ?? 0),
    0,
  );
}
