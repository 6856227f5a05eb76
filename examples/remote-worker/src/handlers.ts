// The team's job types. The same module could run inside jobgraph (HANDLERS_DIR); here
// it runs in the team's own worker (worker.ts).
import { defineHandler, PermanentError } from '@jobgraph/worker';
import { z } from 'zod';

export const invoiceRender = defineHandler({
  name: 'invoice.render',
  description: 'Renders an invoice to text (a stand-in for the team\'s real work).',
  payload: z.object({
    invoice: z.string().min(1).max(100),
    lines: z.array(z.object({ item: z.string().max(200), cents: z.number().int().min(0) })).max(1000),
  }),
  async run({ invoice, lines }, ctx) {
    if (lines.length === 0) throw new PermanentError(`invoice ${invoice} has no lines`);
    ctx.logger.info('rendering', { invoice, lines: lines.length });
    let text = `Invoice ${invoice}\n`;
    for (const [index, line] of lines.entries()) {
      ctx.signal.throwIfAborted(); // cancelled, timed out, or the worker is stopping
      text += `${line.item}: ${(line.cents / 100).toFixed(2)}\n`;
      ctx.progress(((index + 1) / lines.length) * 100);
    }
    const total = lines.reduce((sum, line) => sum + line.cents, 0);
    return { invoice, total, text };
  },
});
