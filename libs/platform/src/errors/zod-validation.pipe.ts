import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { isZodDto } from 'nestjs-zod/dto';
import { type z } from 'zod';
import { ValidationError, type ValidationIssue } from './domain-error';
import { toJsonPointer } from './json-pointer';
import { findUnsafeText } from './unsafe-text';

export { toJsonPointer };

type Location = ArgumentMetadata['type'];

/** Zod issues → the `errors` list: JSON pointers for the body, names for query/path parameters. */
export function zodIssuesToValidationIssues(issues: readonly z.core.$ZodIssue[], location: Location = 'body'): ValidationIssue[] {
  return issues.map((issue) => {
    const rule = issue.code === 'invalid_format' ? `format:${issue.format}` : issue.code;
    const path = issue.path.map(String);
    if (location === 'body') return { pointer: toJsonPointer(path), rule, message: issue.message };
    return { field: path.join('.') || location, rule, message: issue.message };
  });
}

/**
 * Validates `@Body()`, `@Query()` and `@Param()` typed with a nestjs-zod DTO (`createZodDto`), or with
 * an explicit schema: `@Body(new ZodValidationPipe(schema))`. Values without a schema pass untouched —
 * except for the text check every body, query and path parameter gets first, schema or not (this is
 * the global pipe, so it runs before any route's own pipe and before the use case): control
 * characters and lone surrogates are refused with a 422 naming the field (see unsafe-text.ts).
 */
@Injectable()
export class ZodValidationPipe implements PipeTransform {
  constructor(private readonly schema?: z.ZodType) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const unsafe = findUnsafeText(value, metadata.type, metadata.data);
    if (unsafe.length > 0) throw new ValidationError(unsafe);
    const schema = this.schema ?? schemaOf(metadata.metatype);
    if (!schema) return value;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    throw new ValidationError(zodIssuesToValidationIssues(result.error.issues, metadata.type));
  }
}

function schemaOf(metatype: unknown): z.ZodType | undefined {
  if (!isZodDto(metatype)) return undefined;
  return (metatype as unknown as { schema: z.ZodType }).schema;
}
