import { InjectConfig } from '@lienthong/platform';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { type LabResultsConfig } from '../../../config/lab-results.config';
import { LabResultError, LabResultErrorCode } from '../../domain/lab-result-error';

/** The media types an XML 130 upload may be sent as. */
export const XML130_CONTENT_TYPES = ['application/xml', 'text/xml', 'application/octet-stream'] as const;

/**
 * Teaches Fastify to hand XML 130 uploads to the route as the raw request stream (no buffering, no
 * parsing here: the reader streams it visit by visit). Registered during Nest's init, as content-type
 * parsers must be.
 */
@Injectable()
export class Xml130Bodies implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    // An application context (a worker, an in-process test without HTTP) has no server to teach.
    if (!this.adapterHost.httpAdapter) return;
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    for (const type of XML130_CONTENT_TYPES) {
      if (fastify.hasContentTypeParser(type)) fastify.removeContentTypeParser(type);
    }
    fastify.addContentTypeParser([...XML130_CONTENT_TYPES], (_request, payload, done) => done(null, payload));
  }
}

/** The upload limit (LAB_MAX_UPLOAD_BYTES), as a stream that fails with a coded 413 once more than that has come in. */
@Injectable()
export class UploadLimit {
  readonly maxBytes: number;

  constructor(@InjectConfig() config: LabResultsConfig) {
    this.maxBytes = config.lab.maxUploadBytes;
  }

  tooLarge(): LabResultError {
    return new LabResultError(LabResultErrorCode.PayloadTooLarge, `The file is larger than ${this.maxBytes} bytes (LAB_MAX_UPLOAD_BYTES); send it in parts.`, [], { maxBytes: this.maxBytes });
  }

  /** `body`, failing as soon as it passes the limit. */
  limit(body: Readable): Readable {
    let seen = 0;
    const tooLarge = () => this.tooLarge();
    const max = this.maxBytes;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
        seen += chunk.length;
        if (seen > max) callback(tooLarge());
        else callback(null, chunk);
      },
    });
    body.on('error', (error) => counted.destroy(error));
    return body.pipe(counted);
  }
}
