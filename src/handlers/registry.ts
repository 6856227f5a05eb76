// The job types this service can run. Payloads are checked against the type's schema
// when a job is submitted and again before it runs.
import { payloadJsonSchema } from '@jobgraph/worker';
import { z } from 'zod';
import { dataExport, type ExportSettings } from './dataExport.js';
import { echo } from './echo.js';
import { emailSend, type EmailSettings } from './emailSend.js';
import type { JobHandler } from './handler.js';
import { httpRequest, type NetSettings } from './httpRequest.js';
import { imageResize, type ImageSettings } from './imageResize.js';
import { sleep } from './sleep.js';

export class HandlerRegistry {
  private readonly handlers = new Map<string, JobHandler>();

  constructor(handlers: Iterable<JobHandler>) {
    for (const handler of handlers) {
      if (this.handlers.has(handler.name)) throw new Error(`Two job handlers are named "${handler.name}"`);
      this.handlers.set(handler.name, handler);
    }
  }

  get(name: string): JobHandler | undefined {
    return this.handlers.get(name);
  }

  list(): JobHandler[] {
    return [...this.handlers.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The payload schema as JSON Schema, for clients that build forms or validate early. */
  payloadJsonSchema(handler: JobHandler): unknown {
    if (handler.jsonSchema) return handler.jsonSchema;
    // zod's own converter, with what JSON Schema cannot say left open rather than refused.
    if ('_zod' in handler.payload) return z.toJSONSchema(handler.payload as z.ZodType, { unrepresentable: 'any', io: 'input' });
    return payloadJsonSchema(handler.payload);
  }
}

export interface BuiltInSettings {
  email: EmailSettings;
  export: ExportSettings;
  net: NetSettings;
  image: ImageSettings;
}

/** The job types that come with the service. */
export function builtInHandlers(settings: BuiltInSettings): JobHandler[] {
  return [echo, sleep, httpRequest(settings.net), emailSend(settings.email), dataExport(settings.export), imageResize(settings.image)] as JobHandler[];
}
