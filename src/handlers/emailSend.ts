// email.send: one message through SMTP (nodemailer), to the server SMTP_URL names.
import { createTransport, type Transporter } from 'nodemailer';
import { z } from 'zod';
import { defineHandler, PermanentError } from './handler.js';

const address = z.email().max(320);

export interface EmailSettings {
  /** smtp:// or smtps:// URL with credentials; unset: every email.send job fails at once. */
  url: string | undefined;
  from: string;
}

export function emailSend(settings: EmailSettings) {
  let transport: Transporter | undefined;
  return defineHandler({
    name: 'email.send',
    description: 'Sends one email through the configured SMTP server. Completes with { messageId, accepted, rejected }.',
    payload: z
      .object({
        to: z.union([address, z.array(address).min(1).max(50)]),
        subject: z.string().min(1).max(998),
        text: z.string().max(1_000_000).optional(),
        html: z.string().max(1_000_000).optional(),
      })
      .strict()
      .refine((email) => email.text !== undefined || email.html !== undefined, { error: 'give text, html or both', path: ['text'] }),
    async run(email, ctx) {
      if (!settings.url) throw new PermanentError('SMTP_URL is not configured on the workers');
      transport ??= createTransport(settings.url);
      ctx.logger.debug({ to: email.to }, 'sending email');
      const info = await transport.sendMail({ from: settings.from, ...email });
      const addresses = (list: unknown) => (Array.isArray(list) ? list.map((entry) => (typeof entry === 'string' ? entry : String((entry as { address?: string }).address))) : []);
      return { messageId: info.messageId, accepted: addresses(info.accepted), rejected: addresses(info.rejected) };
    },
  });
}
