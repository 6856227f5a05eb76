// Throughput: jobs finished per 10 s over the last 5 minutes, one line per series (an
// outcome), with time and count axes (uPlot: small, canvas, no dependencies).
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export const BUCKET_MS = 10_000;
export const BUCKETS = 30;

/** Counts per series (an outcome) per bucket (the bucket's start, ms). */
export type Series = Map<string, Map<number, number>>;

/** Outcomes in their status colours; other series in turn. */
const COLORS: Record<string, string> = { completed: '#1a7f37', failed: '#cf222e', cancelled: '#9a6700' };
const OTHERS = ['#0969da', '#bf3989', '#8250df'];

export function Chart({ series, now }: { series: Series; now: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const queues = [...series.keys()];
  const end = Math.floor(now / BUCKET_MS) * BUCKET_MS;
  const times = Array.from({ length: BUCKETS }, (_, index) => end - (BUCKETS - 1 - index) * BUCKET_MS);
  const data: uPlot.AlignedData = [times.map((time) => time / 1000), ...queues.map((queue) => times.map((time) => series.get(queue)?.get(time) ?? 0))];
  const shape = queues.join(',');

  useEffect(() => {
    if (!box.current) return;
    const dark = matchMedia('(prefers-color-scheme: dark)').matches;
    const axis = { stroke: dark ? '#c9d1d9' : '#1d2433', grid: { stroke: dark ? '#30363d' : '#e6e8ec' } };
    plot.current = new uPlot(
      {
        width: box.current.clientWidth || 320,
        height: 180,
        scales: { y: { range: (_u, _min, max) => [0, Math.max(4, max)] } },
        axes: [axis, { ...axis, label: 'finished / 10 s', size: 50 }],
        series: [{}, ...queues.map((queue, index) => ({ label: queue, stroke: COLORS[queue] ?? OTHERS[index % OTHERS.length], width: 2 }))],
      },
      data,
      box.current,
    );
    const resize = () => plot.current?.setSize({ width: box.current?.clientWidth ?? 320, height: 180 });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      plot.current?.destroy();
      plot.current = null;
    };
    // A new set of queues makes a new chart; new counts only new data.
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  return <div id="chart" ref={box} role="img" aria-label="jobs finished per 10 seconds, by outcome" />;
}
